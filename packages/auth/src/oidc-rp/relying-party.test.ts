// The relying parties against a real, separate OpenID Connect provider (oidc-provider in its own
// process, as a DigiD broker): the good path, and every way a login must fail — low or missing
// acr, a replayed code, a tampered ID token, a token meant for another client, the wrong issuer,
// an IdP that is down.
import type { CustomFetch } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityCheckError } from '../passkeys/identity-check.ts';
import { OidcIdentityProvider } from '../passkeys/oidc-identity-provider.ts';
import {
  clientKeyPair,
  logInAtTestIdp,
  startTestIdp,
  testIdpClient,
  type RunningTestIdp,
} from '../testing/test-idp-process.ts';
import { OidcRelyingParty, type RelyingPartyOptions } from './relying-party.ts';
import { MemoryEphemeralStore } from '@ketenlog/storage';

const LOA = (level: string) => `http://eidas.europa.eu/LoA/${level}`;
const BASE = 'https://kraamzorg.example';
const CALLBACK = '/auth/passkeys/enrol/callback';
const MARIA = '999990019';
const a = clientKeyPair();
const b = clientKeyPair();

let idp: RunningTestIdp;
beforeAll(async () => {
  idp = await startTestIdp({
    port: 0,
    title: 'Test-DigiD-makelaar',
    clients: [
      testIdpClient('kraamzorg-node', a.publicJwk, [`${BASE}${CALLBACK}`]),
      testIdpClient('other-node', b.publicJwk, [`${BASE}${CALLBACK}`]),
    ],
    accounts: { [MARIA]: { bsn: MARIA }, pietje: { bsn: '12345' } },
    acrValues: [LOA('low'), LOA('substantial'), LOA('high')],
  });
}, 30_000);
afterAll(async () => idp?.stop());

const upstream = (extra: Partial<RelyingPartyOptions> = {}): RelyingPartyOptions => ({
  issuer: idp.issuer,
  clientId: 'kraamzorg-node',
  privateKeyJwk: a.privateJwk,
  allowInsecure: true,
  ...extra,
});

const digid = (extra: Partial<RelyingPartyOptions> = {}) =>
  new OidcIdentityProvider({
    id: 'digid',
    label: 'DigiD',
    upstream: upstream(extra),
    ephemeral: new MemoryEphemeralStore(),
    publicBaseUrl: BASE,
    bsnClaim: 'bsn',
    acr: { [LOA('low')]: 'low', [LOA('substantial')]: 'substantial', [LOA('high')]: 'high' },
    minimumAssurance: 'substantial',
  });

/** The callback's query after logging in at the IdP as `login` at `acr`. */
async function callbackQuery(
  start: Promise<{ redirectTo: string }>,
  login = MARIA,
  acr = LOA('substantial'),
) {
  const { redirectTo } = await start;
  return Object.fromEntries((await logInAtTestIdp(redirectTo, login, acr)).searchParams);
}

/** A fetch towards the IdP whose token responses pass through `change` first. */
const tokenResponses =
  (change: (body: Record<string, string>) => Record<string, string>): CustomFetch =>
  async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    if (!new URL(url).pathname.endsWith('/token') || !response.ok) return response;
    const body = change((await response.json()) as Record<string, string>);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };

describe('the DigiD broker relying party', () => {
  it('logs her in with code + PKCE, state, nonce and private_key_jwt, and reads BSN and assurance', async () => {
    const provider = digid();
    const { redirectTo } = await provider.start('state-1', CALLBACK);
    const asked = new URL(redirectTo).searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('nonce')).toMatch(/.{20,}/);
    expect(asked.get('redirect_uri')).toBe(`${BASE}${CALLBACK}`);
    expect(asked.get('acr_values')).toBe(`${LOA('substantial')} ${LOA('high')}`);
    const query = Object.fromEntries((await logInAtTestIdp(redirectTo, MARIA, LOA('high'))).searchParams);
    expect(await provider.complete(query)).toEqual({ bsn: MARIA, assurance: 'high', provider: 'digid' });
    expect(await provider.complete(query)).toBeUndefined(); // a state completes once
  });

  it('refuses a login below the required assurance, or without acr, in Dutch', async () => {
    for (const acr of [LOA('low'), '']) {
      const provider = digid();
      const query = await callbackQuery(provider.start(`state-acr-${acr}`, CALLBACK), MARIA, acr);
      const refused = await provider.complete(query).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(IdentityCheckError);
      expect(refused).toMatchObject({
        status: 401,
        message: expect.stringMatching(/vereiste betrouwbaarheidsniveau/),
      });
    }
  });

  it('refuses a replayed code, and a BSN that fails the 11-proef', async () => {
    const provider = digid();
    const query = await callbackQuery(provider.start('state-2', CALLBACK));
    expect(await provider.complete(query)).toMatchObject({ bsn: MARIA });
    await provider.start('state-3', CALLBACK);
    expect(await provider.complete({ ...query, state: 'state-3' })).toBeUndefined();
    const bad = await callbackQuery(provider.start('state-4', CALLBACK), 'pietje');
    expect(await provider.complete(bad)).toBeUndefined();
  });

  it('refuses a tampered ID token and an ID token issued to another client', async () => {
    const tampered = new OidcRelyingParty(
      upstream({
        fetch: tokenResponses((body) => {
          const [header, payload, signature] = body.id_token!.split('.');
          const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
          const forged = Buffer.from(JSON.stringify({ ...claims, bsn: '999990020' })).toString('base64url');
          return { ...body, id_token: `${header}.${forged}.${signature}` };
        }),
      }),
      new MemoryEphemeralStore(),
    );
    const query = async (rp: OidcRelyingParty, state: string) =>
      Object.fromEntries(
        (await logInAtTestIdp((await rp.start(state, `${BASE}${CALLBACK}`)).href, MARIA, LOA('high')))
          .searchParams,
      );
    expect(await tampered.complete(await query(tampered, 'state-5'))).toMatchObject({
      ok: false,
      problem: { code: 'rejected' },
    });

    // The other client's real, signed ID token, swapped in for ours.
    let theirs: Record<string, string> | undefined;
    const other = new OidcRelyingParty(
      upstream({
        clientId: 'other-node',
        privateKeyJwk: b.privateJwk,
        fetch: tokenResponses((body) => (theirs = body)),
      }),
      new MemoryEphemeralStore(),
    );
    expect(await other.complete(await query(other, 'state-6'))).toMatchObject({ ok: true });
    const swapped = new OidcRelyingParty(
      upstream({ fetch: tokenResponses(() => theirs!) }),
      new MemoryEphemeralStore(),
    );
    const refused = await swapped.complete(await query(swapped, 'state-7'));
    expect(refused).toMatchObject({ ok: false, problem: { code: 'rejected' } });
    expect(refused.ok ? '' : refused.problem.text).toMatch(/aud|audience|nonce/i);
  });

  it('follows the IdP to new signing keys when it restarts with them; a code from before is refused', async () => {
    const provider = digid();
    const signedEarlier = await callbackQuery(provider.start('state-10', CALLBACK));
    // The IdP restarts on the same address with new signing keys: the old ones are gone from its JWKS.
    const port = new URL(idp.issuer).port;
    const config = {
      title: 'Test-DigiD-makelaar',
      clients: [testIdpClient('kraamzorg-node', a.publicJwk, [`${BASE}${CALLBACK}`])],
      accounts: { [MARIA]: { bsn: MARIA } },
      acrValues: [LOA('substantial')],
    };
    await idp.stop();
    idp = await startTestIdp({ ...config, port: Number(port) });
    // A code from before the restart is unknown to the new IdP; a login now verifies with the new keys.
    expect(await provider.complete(signedEarlier)).toBeUndefined();
    const query = await callbackQuery(provider.start('state-11', CALLBACK));
    expect(await provider.complete(query)).toMatchObject({ bsn: MARIA, assurance: 'substantial' });
  });

  it('refuses an IdP that names another issuer, and says so in Dutch when the IdP is down', async () => {
    const wrongIssuer = digid({ issuer: idp.issuer.replace('127.0.0.1', 'localhost') });
    await expect(wrongIssuer.start('state-8', CALLBACK)).rejects.toMatchObject({ status: 503 });
    const down = digid({ issuer: 'http://127.0.0.1:9' });
    await expect(down.start('state-9', CALLBACK)).rejects.toMatchObject({
      status: 503,
      message:
        'Inloggen met DigiD lukt nu niet: de inlogdienst is niet bereikbaar. Probeer het later opnieuw.',
    });
  });

  it('says in Dutch that DigiD cannot be reached when the broker goes down during her login', async () => {
    const provider = digid();
    const query = await callbackQuery(provider.start('state-14', CALLBACK));
    await idp.stop();
    await expect(provider.complete(query)).rejects.toMatchObject({
      status: 503,
      message: expect.stringMatching(/^Inloggen met DigiD lukt nu niet/),
    });
  });
});
