// Helpers for exchange tests and the exchange benchmark: a demo region cut to a few members (the
// RSO always, for the pseudonym service), one client's records written at each holder over its FHIR
// API, a professional's login, and the client signing consent statements with a key her
// organisation bound on its log (Ed25519 here; in the portal it is her passkey).
import { generate } from 'otplib';
import { signStatement, STATEMENT_VERSION, type SignedStatement, KIND_KEY } from '@ketenlog/logbook';
import { holdersOf } from '@ketenlog/region';
import { newTestKey, type TestKey } from '@ketenlog/region/testing';
import { SESSION_COOKIE } from '@ketenlog/auth';
import { BSN_SYSTEM } from '@ketenlog/fhir';
import { demoCredentialsOf } from '../auth/node-auth.ts';
import { cookieOf } from '../auth/testing.ts';
import { startRegion, type RegionRunOptions, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import { systemAuthorization } from '../region/demo-system.ts';
import type { RunningNode } from '../server.ts';

export const RSO = '11110010';

export async function startExchangeRegion(
  uras: readonly string[],
  options: {
    quorum?: number;
    logLevel?: 'fatal' | 'warn';
    /** Logbook timings; default short ones for tests (mirrors every 200 ms). */
    logbook?: { mirrorIntervalMs?: number; finalityRetryMs?: number };
    /** The national functions per organisation (a Mitz stand-in). */
    national?: RegionRunOptions['national'];
  } = {},
): Promise<RunningRegion> {
  return startRegion({
    ...(await demoRegionOnFreePorts({
      uras: [...new Set([...uras, RSO])],
      quorum: options.quorum ?? 2,
    })),
    logLevel: options.logLevel ?? 'fatal',
    parts: { logbook: options.logbook ?? { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
    ...(options.national ? { national: options.national } : {}),
  });
}

/** The node's public base URL (where its /fhir, /exchange and /auth routes are). */
export const baseOf = (node: RunningNode) => node.membership!.organisation.node.baseUrl;

/** PUTs resources into a node's FHIR store as its own system would (SMART Backend Services). */
export async function put(node: RunningNode, resource: { resourceType: string; id: string }): Promise<void> {
  const response = await fetch(`${baseOf(node)}/fhir/${resource.resourceType}/${resource.id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/fhir+json', authorization: await systemAuthorization(node) },
    body: JSON.stringify(resource),
  });
  if (response.status >= 300)
    throw new Error(`PUT ${resource.resourceType}: ${response.status} ${await response.text()}`);
}

/** The client's Patient at a holder, with `count` dated records of the category the kind gives. */
export function clientRecords(
  patientId: string,
  bsn: string,
  kind: 'vital-signs' | 'medication' | 'pregnancy' | 'encounters' | 'allergies',
  count: number,
): { resourceType: string; id: string }[] {
  const subject = { reference: `Patient/${patientId}` };
  const day = (i: number) => new Date(Date.UTC(2026, 10, 1 + (i % 28), 8 + (i % 10))).toISOString();
  const record = (i: number): { resourceType: string; id: string } => {
    const id = `${patientId}-${kind}-${i}`;
    switch (kind) {
      case 'vital-signs':
        return {
          resourceType: 'Observation',
          id,
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Hartslag' }] },
          subject,
          effectiveDateTime: day(i),
          valueQuantity: { value: 60 + (i % 40), unit: '/min' },
        } as never;
      case 'medication':
        return {
          resourceType: 'MedicationStatement',
          id,
          status: 'active',
          medicationCodeableConcept: { text: 'paracetamol 500 mg' },
          subject,
          effectiveDateTime: day(i),
        } as never;
      case 'pregnancy':
        return {
          resourceType: 'Condition',
          id,
          code: { coding: [{ system: 'http://snomed.info/sct', code: '77386006', display: 'Zwanger' }] },
          subject,
          onsetDateTime: day(i),
        } as never;
      case 'encounters':
        return {
          resourceType: 'Encounter',
          id,
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
          subject,
          period: { start: day(i) },
        } as never;
      case 'allergies':
        return { resourceType: 'AllergyIntolerance', id, patient: subject, recordedDate: day(i) } as never;
    }
  };
  return [
    {
      resourceType: 'Patient',
      id: patientId,
      identifier: [{ system: BSN_SYSTEM, value: bsn }],
      name: [{ family: 'de Vries', given: ['Maria'] }],
    } as never,
    ...Array.from({ length: count }, (_, i) => record(i)),
  ];
}

/** Writes records at a node and publishes its index statements at once. */
export async function seed(node: RunningNode, resources: readonly { resourceType: string; id: string }[]) {
  for (const resource of resources) await put(node, resource);
  await node.exchange!.publisher!.flush();
}

/** Waits until `node` sees every one of `holders` in the index for the pseudonym. */
export async function indexed(
  node: RunningNode,
  pseudonym: string,
  holders: readonly string[],
  timeoutMs = 15_000,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const seen = holdersOf(node.logbook!.state.index, pseudonym).map((h) => h.holder);
    if (holders.every((u) => seen.includes(`ura:${u}`))) return;
    if (Date.now() > until)
      throw new Error(`index at ${node.membership!.organisation.ura}: ${seen.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A demo professional's session cookie, by password + TOTP login at her node. */
export async function loginProfessional(node: RunningNode, id: string): Promise<string> {
  const { password, totpSecret } = demoCredentialsOf(id);
  const response = await fetch(`${baseOf(node)}/auth/professionals/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, password, totp: await generate({ secret: totpSecret }) }),
  });
  if (response.status !== 200) throw new Error(`login ${id}: ${response.status} ${await response.text()}`);
  return cookieOf(response);
}

export interface TestClient {
  readonly pseudonym: string;
  readonly key: TestKey;
  /** Her session cookie at her own node. */
  readonly cookie: string;
  /** Signs statement drafts (as /exchange/consent-drafts returns them) and appends them at her node. */
  sign(drafts: readonly { kind: string; subject?: string; body: object }[]): Promise<void>;
  /** A consent choice through her node's /exchange/consent-drafts, signed and appended. */
  consent(choice: object): Promise<void>;
}

/**
 * The client at her own node: a key bound to her pseudonym on the node's log, and a session as
 * after her passkey login (the passkey ceremony itself is tested in packages/auth).
 */
export async function clientAt(node: RunningNode, pseudonym: string): Promise<TestClient> {
  const { keyId, secretKey } = node.membership!.statementKey;
  const key = newTestKey();
  const iat = () => Math.floor(Date.now() / 1000);
  const bound = await node.logbook!.append(
    signStatement(
      {
        kind: KIND_KEY,
        v: STATEMENT_VERSION,
        author: keyId,
        iat: iat(),
        subject: pseudonym,
        body: {
          action: 'bind',
          keyId: key.keyId,
          alg: 'Ed25519',
          publicKey: key.publicKey,
          holder: pseudonym,
          role: 'client',
        },
      },
      secretKey,
    ),
  );
  if (!bound.ok) throw new Error(`key binding refused: ${bound.problem.text}`);
  const session = await node.auth!.sessions.create(
    { kind: 'client', holder: pseudonym, credentialId: key.keyId },
    Date.now(),
  );
  const client: TestClient = {
    pseudonym,
    key,
    cookie: `${SESSION_COOKIE}=${session.id}`,
    async sign(drafts) {
      for (const draft of drafts) {
        const envelope: SignedStatement = signStatement(
          { ...draft, v: STATEMENT_VERSION, author: key.keyId, iat: iat() } as never,
          key.secret,
        );
        const result = await node.logbook!.append(envelope);
        if (!result.ok) throw new Error(`statement refused: ${result.problem.text}`);
      }
    },
    async consent(choice) {
      const response = await fetch(`${baseOf(node)}/exchange/consent-drafts`, {
        method: 'POST',
        headers: { cookie: client.cookie, 'content-type': 'application/json' },
        body: JSON.stringify(choice),
      });
      if (response.status !== 200)
        throw new Error(`consent drafts: ${response.status} ${await response.text()}`);
      await client.sign(((await response.json()) as { drafts: { kind: string; body: object }[] }).drafts);
    },
  };
  return client;
}

/** A request to a node as the organisation's own system (SMART Backend Services token). */
export async function staffFetch(node: RunningNode, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseOf(node)}${path}`, {
    ...init,
    headers: {
      ...(init.headers as Record<string, string> | undefined),
      authorization: await systemAuthorization(node),
    },
  });
}
