// Test support: the Mijn Zorg Log story played over real HTTP against running nodes, as the
// people in it would through their browsers and phones. The care administration records the
// indication, the carer binds her phone's key and logs visits signed with it, the mother approves
// one and rejects another with her passkey, the carer corrects, and the insurer's assessor, at the
// insurer's own node, sees the approved hour with receipts that verify offline and declares it.
// Used by the region test (one process) and the deployment test (processes in network namespaces).
import { randomBytes } from 'node:crypto';
import { webauthnSignatureOf } from '@ketenlog/auth';
import { challengeOf } from '@ketenlog/carelog';
import { BSN_SYSTEM } from '@ketenlog/fhir';
import {
  ed25519PublicKey,
  parseReceipt,
  signStatement,
  verifyReceipt,
  type ReceiptPolicy,
  type Statement,
  KIND_CONSENT,
} from '@ketenlog/logbook';
import { enrolAndLogIn, logInProfessional, type LoggedInClient } from '../auth/testing.ts';

export interface StoryNodes {
  /** Where the test reaches each node (may differ from the region's base URL in a lab). */
  readonly kraamzorg: string;
  readonly insurer: string;
  /** Kraamzorg De Wieg's WebAuthn origin: its base URL in the region file. */
  readonly kraamzorgOrigin?: string;
  /** The insurer's URA. */
  readonly insurerUra: string;
  /** `Authorization` for the insurer's own system at its node (SMART Backend Services). */
  readonly insurerAuthorization: string;
  /** The receipt policy of Kraamzorg De Wieg's log (from the region file). */
  readonly policy: ReceiptPolicy;
}

export interface StoryResult {
  readonly approved: string;
  readonly rejected: string;
  readonly corrected: string;
  /** Entries and approvals the insurer saw, with receipts verified offline. */
  readonly insurerSaw: string[];
  readonly declared: string[];
  readonly refusedDeclaration: number;
  readonly statuses: string[];
  readonly remainingMinutes: number;
  /** The session cookies of the people in the story (a TOTP code logs in only once). */
  readonly sessions: {
    readonly maria: string;
    readonly karin: string;
    readonly anna: string;
    readonly dirk: string;
  };
  /** The mother's passkey, to sign more. */
  readonly passkey: LoggedInClient['authenticator'];
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(method: string, url: string, cookie: string, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function expectStatus(answer: Answer, status: number, step: string): Record<string, unknown> {
  if (answer.status !== status)
    throw new Error(`${step}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A calendar date in the Netherlands, `days` from today. */
function dutchDate(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(at);
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const MARIA_BSN = '999990019';

/** The insurer holds Maria's policy: its node states so on its log, under her pseudonym. */
async function insurerHoldsPolicy(insurer: string, authorization: string): Promise<void> {
  const patient = 'urn:uuid:5f0e6c1a-7d3b-4a8e-9c1f-2b6d8e4a0c11';
  const stored = await fetch(`${insurer}/fhir`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization },
    body: JSON.stringify({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: patient,
          request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${BSN_SYSTEM}|${MARIA_BSN}` },
          resource: {
            resourceType: 'Patient',
            identifier: [{ system: BSN_SYSTEM, value: MARIA_BSN }],
            name: [{ family: 'de Vries', given: ['Maria'] }],
          },
        },
        {
          request: { method: 'POST', url: 'Coverage' },
          resource: {
            resourceType: 'Coverage',
            status: 'active',
            beneficiary: { reference: patient },
            payor: [{ display: 'Zorgverzekeraar Zuid' }],
          },
        },
      ],
    }),
  });
  if (stored.status !== 200) throw new Error(`insurer policy: ${stored.status} ${await stored.text()}`);
}

/** Plays the story; throws with the failing step, or returns what each party saw. */
export async function playCarelogStory(nodes: StoryNodes): Promise<StoryResult> {
  const kz = `${nodes.kraamzorg}/carelog`;
  const insurerRef = `ura:${nodes.insurerUra}`;
  await insurerHoldsPolicy(nodes.insurer, nodes.insurerAuthorization);

  // The mother: Demo-DigiD, her passkey, and her consent that the insurer sees her hours for billing.
  const maria: LoggedInClient = await enrolAndLogIn(nodes.kraamzorg, 0, nodes.kraamzorgOrigin);
  const consent = expectStatus(
    await call('POST', `${nodes.kraamzorg}/auth/passkeys/statements/options`, maria.session, {
      draft: {
        kind: KIND_CONSENT,
        body: { decision: 'grant', grantee: insurerRef, category: 'kraamzorg', purpose: 'billing' },
      },
    }),
    200,
    'consent draft',
  ) as { statement: Statement; options: Parameters<LoggedInClient['authenticator']['get']>[0] };
  expectStatus(
    await call('POST', `${nodes.kraamzorg}/auth/passkeys/statements/sign`, maria.session, {
      statement: consent.statement,
      response: maria.authenticator.get(consent.options),
    }),
    200,
    'consent signed',
  );

  // The care administration records the indication: basic package with breastfeeding, 49 h.
  const karin = await logInProfessional(nodes.kraamzorg, 'pro:karin-dewit');
  const indication = `ind-${randomBytes(6).toString('hex')}`;
  expectStatus(
    await call('POST', `${kz}/indications`, karin, {
      indication,
      subject: maria.holder,
      birthDate: dutchDate(-3),
      carePackage: 'basis-borstvoeding',
      days: 8,
      carers: ['pro:anna-jansen'],
    }),
    201,
    'indication',
  );

  // The carer binds her phone's key, then logs two visits signed with it.
  const anna = await logInProfessional(nodes.kraamzorg, 'pro:anna-jansen');
  const phone = randomBytes(32);
  const bound = expectStatus(
    await call('POST', `${kz}/carers/pro:anna-jansen/keys`, anna, {
      publicKey: Buffer.from(ed25519PublicKey(phone)).toString('base64'),
    }),
    201,
    'carer key',
  ) as { keyId: string };
  const logVisit = async (days: number, start: string, end: string, supersedes?: string) => {
    const draft = await poll('the carer key to be known', async () => {
      const answer = await call('POST', `${kz}/indications/${indication}/entry-drafts`, anna, {
        carerKeyId: bound.keyId,
        date: dutchDate(days),
        start,
        end,
        activities: ['zorg-moeder', 'zorg-kind'],
        ...(supersedes ? { supersedes } : {}),
      });
      return answer.status === 200 ? answer.body : undefined;
    });
    const envelope = signStatement(draft['statement'] as Statement, phone);
    const logged = expectStatus(
      await call('POST', `${kz}/entries`, anna, { envelope, ...(supersedes ? { supersedes } : {}) }),
      201,
      'entry',
    );
    return String(logged['hash']);
  };
  const approved = await logVisit(-2, '09:00', '12:00');
  const rejected = await logVisit(-1, '09:00', '12:00');

  // The mother approves the first and rejects the second, signing each with her passkey.
  const decide = async (entry: string, decision: 'approved' | 'rejected', reason?: string) => {
    const draft = expectStatus(
      await call('POST', `${kz}/approval-drafts`, maria.session, {
        entry,
        signerKeyId: maria.keyId,
        decision,
        ...(reason ? { reason } : {}),
      }),
      200,
      `${decision} draft`,
    );
    const statement = draft['statement'] as Statement;
    const rpId = new URL(nodes.kraamzorgOrigin ?? nodes.kraamzorg).hostname.replace('127.0.0.1', 'localhost');
    const response = maria.authenticator.get({ rpId, challenge: challengeOf(statement) });
    const envelope = { statement, signatures: [webauthnSignatureOf(maria.keyId, response)] };
    expectStatus(await call('POST', `${kz}/approvals`, maria.session, { envelope }), 201, decision);
  };
  await decide(approved, 'approved');
  await decide(rejected, 'rejected', 'Ze was om 11 uur al weg.');
  const corrected = await logVisit(-1, '09:00', '11:00', rejected);

  // What the mother sees: statuses and the hours left.
  const file = expectStatus(await call('GET', `${kz}/indications/${indication}`, maria.session), 200, 'file');
  const statuses = (file['entries'] as { status: string }[]).map((e) => e.status);
  const budget = expectStatus(
    await call('GET', `${kz}/indications/${indication}/budget`, maria.session),
    200,
    'budget',
  );

  // The insurer's assessor, at the insurer's own node: approved hours only, with final receipts.
  const dirk = await logInProfessional(nodes.insurer, 'pro:dirk-smit');
  const ins = `${nodes.insurer}/carelog/insurers/${nodes.insurerUra}`;
  type Seen = { entry: { hash: string }; entryReceipt?: string; approvalReceipt?: string };
  const seen = await poll('the insurer to see the approved hour with receipts', async () => {
    const answer = await call('GET', `${ins}/entries`, dirk);
    const entries = (answer.body['entries'] ?? []) as Seen[];
    const mine = entries.filter((e) => e.entry.hash === approved);
    return mine.length === 1 && mine[0]!.entryReceipt && mine[0]!.approvalReceipt ? entries : undefined;
  });
  const insurerSaw: string[] = [];
  for (const item of seen) {
    for (const receipt of [item.entryReceipt!, item.approvalReceipt!]) {
      const verdict = verifyReceipt(receipt, parseReceipt(receipt).extra!, nodes.policy);
      if (!verdict.ok) throw new Error(`receipt of ${item.entry.hash} does not verify: ${verdict.reason}`);
    }
    insurerSaw.push(item.entry.hash);
  }
  const refused = await call('POST', `${ins}/declarations`, dirk, { entries: [corrected] });
  const declaredBody = expectStatus(await call('POST', `${ins}/declarations`, dirk, {}), 201, 'declaration');
  const declared = (declaredBody['declarations'] as { entries: string[] }[]).flatMap((d) => d.entries);
  return {
    approved,
    rejected,
    corrected,
    insurerSaw,
    declared,
    refusedDeclaration: refused.status,
    statuses,
    remainingMinutes: Number(budget['remainingMinutes']),
    sessions: { maria: maria.session, karin, anna, dirk },
    passkey: maria.authenticator,
  };
}
