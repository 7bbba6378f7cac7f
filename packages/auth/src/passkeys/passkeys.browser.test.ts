// The passkey flow in a real browser: Debian's Chromium with a CDP virtual authenticator enrols a
// passkey after the (demo) identity check, logs in, and signs a consent that the region's witness
// rules (RegionPolicy with this package's webauthnVerify) accept; tampered assertions are refused
// by the node and by the witness. Needs Chromium: test/chromium.ts installs it or says how.
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { assert, afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entryBytes,
  verifySignedStatement,
  type SignedStatement,
  type WebAuthnSignature,
} from '@ketenlog/logbook';
import { SqlEphemeralStore, testDatabases, type Db } from '@ketenlog/storage';
import { addVirtualAuthenticator, CHROMIUM_ARGS, ensureChromium } from '../../../../test/chromium.ts';
import { InMemoryProfessionalDirectory } from '../professionals/professional-directory.ts';
import { DemoDigiD } from './demo-digid.ts';
import { DEMO_PERSONS, demoPersonDirectory } from './demo-persons.ts';
import { demoWitness, type DemoWitness } from './demo-witness.ts';
import { registerPasskeyAuth } from './passkey-auth.ts';
import type { SqlCredentialRepository } from './sql-credential-repository.ts';
import { createWebAuthnVerify, type RelyingParty } from './statement-assertion.ts';

const MARIA = 'pMaria-0000000000000001';
const CONSENT = {
  kind: 'consent',
  body: { decision: 'grant', grantee: 'ura:11110003', category: 'medication', purpose: 'treatment' },
};
const STEP_MS = 8_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function flipByte(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at < 0 ? bytes.length + at : at;
  const byte = bytes[i];
  if (byte === undefined) throw new Error(`flipByte: byte ${at} is outside the ${bytes.length} bytes`);
  bytes[i] = byte ^ 0x01;
  return bytes.toString('base64');
}

describe('passkeys in Chromium with a virtual authenticator', () => {
  let db: Db;
  let app: FastifyInstance;
  let browser: Browser;
  let origin: string;
  let relyingParty: RelyingParty;
  let witness: DemoWitness;
  let credentials: SqlCredentialRepository;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    relyingParty = { rpId: 'localhost', origins: [origin] };
    witness = demoWitness([relyingParty]);
    const kraamzorg = witness.organisation;
    db = await testDatabases()[0]!.open();
    app = Fastify();
    const ephemeral = await SqlEphemeralStore.open(db);
    const auth = await registerPasskeyAuth(app, '/auth', {
      db,
      ephemeral,
      relyingParty,
      organisation: `ura:${kraamzorg.ura}`,
      organisationName: kraamzorg.name,
      identity: new DemoDigiD(DEMO_PERSONS, ephemeral, '/auth/demo-digid'),
      persons: demoPersonDirectory(),
      professionals: new InMemoryProfessionalDirectory([]),
      secureCookies: false,
      pageDraft: CONSENT,
      bindKey: (credential) => witness.bindKey(credential),
      submitStatement: (envelope) => witness.submitStatement(envelope),
    });
    credentials = auth.credentials;
    await app.listen({ host: '127.0.0.1', port });
    browser = await chromium.launch({
      executablePath,
      timeout: STEP_MS,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it(
    'enrols, logs in and signs a consent the witness accepts; tampered assertions are refused',
    { timeout: 28_000 },
    async () => {
      const context = await browser.newContext();
      context.setDefaultTimeout(STEP_MS);
      const page = await context.newPage();
      const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
      const status = page.locator('#status');

      // Identity check with the labelled demo stand-in, then enrolment.
      await page.goto(`${origin}/auth/passkeys`);
      await page.click('#identiteit');
      await expect.poll(() => page.textContent('h1')).toBe('Demo-DigiD — geen echte DigiD');
      await page.click('button[name=person][value="0"]');
      await page.waitForURL(`${origin}/auth/passkeys`);
      await page.click('#aanmaken');
      await status.filter({ hasText: 'passkey aangemaakt' }).waitFor();
      const stored = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(stored.credentials).toHaveLength(1);
      expect(stored.credentials[0]?.isResidentCredential).toBe(true);
      const [credential] = await credentials.activeOf(MARIA);
      assert(credential);
      expect(credential.id).toBe(
        Buffer.from(stored.credentials[0]!.credentialId, 'base64').toString('base64url'),
      );
      expect(witness.size()).toBe(1); // the key binding, accepted by the witness

      // A statement cannot be signed before logging in.
      const before = await page.evaluate(
        async () =>
          (
            await fetch('/auth/passkeys/statements/options', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: '{"draft":{"kind":"consent","body":{"decision":"objection"}}}',
            })
          ).status,
      );
      expect(before).toBe(401);

      await page.click('#inloggen');
      await status.filter({ hasText: /^ingelogd$/ }).waitFor();

      await page.click('#ondertekenen');
      await status.filter({ hasText: /^ondertekend$/ }).waitFor();
      const envelope = JSON.parse((await page.textContent('#ondertekend')) as string) as SignedStatement;
      expect(envelope.statement).toMatchObject({
        kind: 'consent',
        subject: MARIA,
        author: credential.keyId,
        body: CONSENT.body,
      });
      expect(witness.size()).toBe(2); // the consent, accepted by the witness

      const keys = (keyId: string) =>
        keyId === credential.keyId
          ? { alg: 'webauthn-es256' as const, publicKey: credential.publicKey }
          : undefined;
      const verify = createWebAuthnVerify([relyingParty]);
      expect(verifySignedStatement(envelope, keys, verify)).toMatchObject({ ok: true });

      // Tampered envelopes: a witness refuses every one.
      const sig = envelope.signatures[0] as WebAuthnSignature;
      const clientData = JSON.parse(Buffer.from(sig.clientDataJSON, 'base64').toString('utf8')) as Record<
        string,
        unknown
      >;
      const tampered: SignedStatement[] = [
        { ...envelope, signatures: [{ ...sig, authenticatorData: flipByte(sig.authenticatorData, 3) }] },
        { ...envelope, signatures: [{ ...sig, authenticatorData: flipByte(sig.authenticatorData, 32) }] },
        {
          ...envelope,
          signatures: [
            {
              ...sig,
              clientDataJSON: Buffer.from(
                JSON.stringify({ ...clientData, origin: 'http://localhost:1' }),
              ).toString('base64'),
            },
          ],
        },
        { ...envelope, signatures: [{ ...sig, clientDataJSON: flipByte(sig.clientDataJSON, 40) }] },
        { ...envelope, signatures: [{ ...sig, sig: flipByte(sig.sig, -2) }] },
        { ...envelope, statement: { ...envelope.statement, iat: envelope.statement.iat + 1 } },
        {
          ...envelope,
          statement: { ...envelope.statement, body: { ...CONSENT.body, grantee: 'ura:11110004' } },
        },
      ];
      for (const bad of tampered) {
        expect(verifySignedStatement(bad, keys, verify).ok).toBe(false);
        const verdict = witness.policy.check(witness.log, witness.size(), entryBytes(bad));
        expect(verdict.ok).toBe(false);
      }

      // The node refuses a tampered assertion, too.
      const refused = await page.evaluate(async () => {
        const post = (path: string, body: unknown) =>
          fetch(`/auth/passkeys${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const { statement, options } = await (
          await post('/statements/options', {
            draft: { kind: 'consent', body: { decision: 'objection', category: 'ggz' } },
          })
        ).json();
        const browserLib = (
          globalThis as unknown as {
            SimpleWebAuthnBrowser: {
              startAuthentication: (o: unknown) => Promise<{ response: { authenticatorData: string } }>;
            };
          }
        ).SimpleWebAuthnBrowser;
        const response = await browserLib.startAuthentication({ optionsJSON: options });
        const data = response.response.authenticatorData;
        response.response.authenticatorData = (data[0] === 'A' ? 'B' : 'A') + data.slice(1);
        const answer = await post('/statements/sign', { statement, response });
        return { status: answer.status, outcome: await answer.json() };
      });
      expect(refused.status).toBe(400);
      expect(refused.outcome.resourceType).toBe('OperationOutcome');
      expect(witness.size()).toBe(2);
      await context.close();
    },
  );
});
