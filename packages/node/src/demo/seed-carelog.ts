// The demo region's Mijn Zorg Log at the scale of the 2018 pilot: three maternity-care
// organisations, thirty carers (ten each, from the region file), thirty-three mothers, one insurer.
// Each mother has an indication (a few re-indicated: hours added by the midwife, removed for days
// in hospital), a visit on each day of her care period logged by one of her two carers and signed
// with the key on the carer's phone, and her approvals signed with her passkey; some visits were
// rejected and corrected, and the newest mothers (Maria among them) still have visits to approve.
// She consented to her insurer seeing her hours for billing. DEMO ONLY: the mothers' passkeys and
// the carers' phone keys are made up here, in software, and forgotten after seeding.
import { randomBytes } from 'node:crypto';
import {
  relyingPartyOf,
  webauthnSignatureOf,
  keyBindingStatement,
  type PasskeyCredential,
} from '@ketenlog/auth';
import { SoftAuthenticator } from '@ketenlog/auth/testing';
import {
  challengeOf,
  type CarelogService,
  type CarePackage,
  type Outcome,
  type Visit,
} from '@ketenlog/carelog';
import {
  ed25519PublicKey,
  signStatement,
  STATEMENT_VERSION,
  type Statement,
  KIND_CONSENT,
} from '@ketenlog/logbook';
import { currentIndication } from '@ketenlog/region';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import { MARIA_BSN, type DemoClient } from './population.ts';

/** The pilot had 33 mothers. */
export const PILOT_MOTHERS = 33;

export interface CarelogSeedSummary {
  readonly ura: string;
  readonly mothers: number;
  readonly entries: number;
  readonly approvals: number;
}

const iat = (): number => Math.floor(Date.now() / 1000);

interface Carer {
  readonly id: string;
  readonly keyId: string;
  readonly secret: Uint8Array;
  /** First days of the care periods she already works in. */
  readonly periods: string[];
}

/** Two carers free for a care period starting at `birthDate` (8 days), the least busy first. */
function twoFreeCarers(carers: readonly Carer[], birthDate: string): [Carer, Carer] {
  const start = Date.parse(birthDate);
  const free = carers
    .filter((c) => c.periods.every((p) => Math.abs(Date.parse(p) - start) >= 8 * 86_400_000))
    .sort((a, b) => a.periods.length - b.periods.length);
  if (free.length < 2) throw new Error(`demo carelog: no two carers free from ${birthDate}`);
  for (const carer of free.slice(0, 2)) carer.periods.push(birthDate);
  return [free[0]!, free[1]!];
}

function must<T>(outcome: Outcome<T>, step: string): T {
  if (!outcome.ok) throw new Error(`demo carelog, ${step}: ${outcome.problem.text}`);
  return outcome.value;
}

async function append(
  node: RunningNode,
  envelope: Parameters<NonNullable<RunningNode['logbook']>['append']>[0],
) {
  const result = await node.logbook!.append(envelope);
  if (!result.ok) throw new Error(`demo carelog: the logbook refused a statement: ${result.problem.text}`);
}

/** A mother's passkey, registered at her maternity-care organisation and bound on its log. */
async function motherPasskey(node: RunningNode, holder: string) {
  const { organisation, statementKey } = node.membership!;
  const rp = relyingPartyOf(organisation.node.baseUrl);
  const authenticator = new SoftAuthenticator(rp.origins[0]!);
  const enrollee = { holder, role: 'client' as const, displayName: holder };
  const service = node.auth!.service;
  const registered = await service.verifyRegistration(
    enrollee,
    authenticator.create(await service.registrationOptions(enrollee)),
  );
  if (!registered.ok) throw new Error(`demo carelog: passkey registration: ${registered.problem.text}`);
  const credential: PasskeyCredential = registered.value;
  await append(
    node,
    signStatement(keyBindingStatement(credential, statementKey.keyId, iat()), statementKey.secretKey),
  );
  const sign = (statement: Statement, challenge: string) => ({
    statement,
    signatures: [webauthnSignatureOf(credential.keyId, authenticator.get({ rpId: rp.rpId, challenge }))],
  });
  return { keyId: credential.keyId, sign };
}

const day = (date: string, offset: number): string =>
  new Date(Date.parse(`${date}T12:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

/** Today in the Netherlands (the carelog's visit rules judge "not in the future" there). */
const todayHere = (): string => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' });

/**
 * When a mother's care period starts: her due date, except for the mothers still in care, whose
 * births were three to five days ago (a visit already approved, the last two waiting) — so on any day the demo starts, a carer can log today's visit
 * and the mother has visits to approve (issue 17, finding 6).
 */
function careStartOf(mother: DemoClient, openRank: number | undefined): string {
  if (openRank === undefined) return mother.dueDate!;
  return day(todayHere(), -(3 + (openRank % 3)));
}

/**
 * The visits of a care period: partus assistance on the day of birth, then a visit a day — only
 * those before today (today's and later visits are the carer's to log).
 */
function visitsOf(birthDate: string): Visit[] {
  const today = todayHere();
  return visitsPlanned(birthDate).filter((v) => v.date < today);
}

function visitsPlanned(birthDate: string): Visit[] {
  return [
    {
      date: birthDate,
      start: '10:00',
      end: '14:00',
      activities: ['partusassistentie', 'zorg-moeder', 'zorg-kind'],
    },
    ...[1, 2, 3, 4, 5, 6].map((d) => ({
      date: day(birthDate, d),
      start: d % 2 ? '08:30' : '09:00',
      end: '13:00',
      activities:
        d < 4 ? ['zorg-moeder', 'zorg-kind', 'voeding'] : ['zorg-moeder', 'voorlichting', 'observatie'],
    })),
    { date: day(birthDate, 7), start: '09:00', end: '11:00', activities: ['observatie', 'voorlichting'] },
  ];
}

async function seedMother(
  node: RunningNode,
  service: CarelogService,
  mother: DemoClient,
  carers: readonly [Carer, Carer],
  insurer: string,
  stillOpen: boolean,
  birthDate: string,
): Promise<{ entries: number; approvals: number }> {
  const { organisation } = node.membership!;
  const holder = await node.exchange!.pseudonyms!.pseudonymOf(mother.bsn);
  const passkey = await motherPasskey(node, holder);
  const consent: Statement = {
    kind: KIND_CONSENT,
    v: STATEMENT_VERSION,
    author: passkey.keyId,
    iat: iat(),
    subject: holder,
    body: { decision: 'grant', grantee: insurer, category: 'kraamzorg', purpose: 'billing' },
  };
  await append(node, passkey.sign(consent, challengeOf(consent)));

  const n = mother.n;
  const indication = `ind-${organisation.node.id}-${String(n).padStart(3, '0')}`;
  const carePackage: CarePackage =
    n % 9 === 4 ? 'maatwerk' : n % 2 ? 'basis-kunstvoeding' : 'basis-borstvoeding';
  const assigned = carers;
  must(
    await service.recordIndication({
      indication,
      subject: holder,
      provider: `ura:${organisation.ura}`,
      birthDate,
      carePackage,
      ...(carePackage === 'maatwerk' ? { hours: 56 } : {}),
      days: 8,
      carers: assigned.map((c) => c.id),
    }),
    'indication',
  );
  if (n % 7 === 3)
    must(await service.reindicate(indication, { hours: -4, reason: 'ziekenhuisopname' }), 'reindication');
  if (n % 11 === 5)
    must(await service.reindicate(indication, { hours: 6, reason: 'verloskundige' }), 'reindication');

  const log = async (visit: Visit, carer: (typeof assigned)[number], supersedes?: string) => {
    const draft = must(service.draftEntry(indication, carer.keyId, visit, supersedes), 'entry');
    return must(await service.submitEntry(signStatement(draft.statement, carer.secret), supersedes), 'entry')
      .hash;
  };
  const decide = async (entry: string, decision: 'approved' | 'rejected', reason?: string) => {
    const draft = must(service.draftApproval(entry, passkey.keyId, decision, reason), 'approval');
    must(await service.submitApproval(passkey.sign(draft.statement, draft.challenge)), 'approval');
  };
  const visits = visitsOf(birthDate);
  let entries = 0;
  let approvals = 0;
  for (const [i, visit] of visits.entries()) {
    const carer = assigned[i % 2]!;
    const hash = await log(visit, carer);
    entries++;
    // The newest mothers have not yet approved their last two visits.
    if (stillOpen && i >= visits.length - 2) continue;
    if (n % 5 === 0 && i === 3) {
      await decide(hash, 'rejected', 'De kraamverzorgende vertrok om 12:00, niet om 13:00.');
      approvals++;
      const corrected = await log({ ...visit, end: '12:00' }, carer, hash);
      entries++;
      if (!stillOpen) {
        await decide(corrected, 'approved');
        approvals++;
      }
      continue;
    }
    await decide(hash, 'approved');
    approvals++;
  }
  return { entries, approvals };
}

/**
 * Seeds Mijn Zorg Log for each mother of a maternity-care member who has no indication yet (a
 * restarted demo keeps its data, and finishes a seeding that a timeout cut short). Needs the region's pseudonym service (the RSO) and an insurer; without them it seeds nothing.
 */
export async function seedDemoCarelog(
  region: RunningRegion,
  population: readonly DemoClient[],
): Promise<CarelogSeedSummary[]> {
  const config = region.nodes[0]!.membership!.region;
  const insurer = config.organisations.find((o) => o.type === 'zorgverzekeraar');
  const kraamzorgen = config.organisations.filter((o) => o.type === 'kraamzorg');
  if (!insurer || !region.nodes[0]!.exchange?.pseudonyms) return [];
  const mothers = population.filter((c) => c.mother).slice(0, PILOT_MOTHERS);
  // The three most recent births in each organisation are still open, and Maria's always is.
  const byDue = [...mothers].sort((a, b) => (b.dueDate ?? '').localeCompare(a.dueDate ?? ''));
  const summaries = await Promise.all(
    kraamzorgen.map(async (org, index): Promise<CarelogSeedSummary | undefined> => {
      const node = region.node(org.ura);
      const service = node.carelog;
      const own = mothers.filter((m) => m.kraamzorg === index);
      if (!service || !node.auth || own.length === 0) return undefined;
      // The mothers without an indication yet: all of them at first, none once seeded, and the
      // rest after a seeding that a timeout cut short (a loaded machine; the demo restarted).
      const todo = own.filter(
        (m) =>
          !currentIndication(
            node.logbook!.state.carelog,
            `ind-${org.node.id}-${String(m.n).padStart(3, '0')}`,
          ),
      );
      if (todo.length === 0) return undefined;
      // Open: rank among this organisation's mothers still in care (Maria first when she is one).
      const open = new Map(
        byDue
          .filter((m) => m.kraamzorg === index)
          .filter((m, i) => i < 3 || m.bsn === MARIA_BSN)
          .sort((a, b) => Number(b.bsn === MARIA_BSN) - Number(a.bsn === MARIA_BSN))
          .map((m, rank) => [m.n, rank]),
      );
      const starts = todo.map((mother) => careStartOf(mother, open.get(mother.n)));
      const carers: Carer[] = [];
      for (const professional of config.professionals.filter(
        (p) => p.organisation === org.ura && p.role === 'kraamverzorgende',
      )) {
        const secret = randomBytes(32);
        const publicKey = Buffer.from(ed25519PublicKey(secret)).toString('base64');
        const { keyId } = must(
          await service.bindCarerKey(`ura:${org.ura}`, professional.id, publicKey),
          'carer key',
        );
        carers.push({ id: professional.id, keyId, secret, periods: [] });
      }
      // Carers first (who is free when), then every mother at once: their statements share the
      // log's group commits.
      const assigned = todo.map((_, i) => twoFreeCarers(carers, starts[i]!));
      const seeded = await Promise.all(
        todo.map((mother, i) =>
          seedMother(
            node,
            service,
            mother,
            assigned[i]!,
            `ura:${insurer.ura}`,
            open.has(mother.n),
            starts[i]!,
          ),
        ),
      );
      const entries = seeded.reduce((sum, s) => sum + s.entries, 0);
      const approvals = seeded.reduce((sum, s) => sum + s.approvals, 0);
      return { ura: org.ura, mothers: todo.length, entries, approvals };
    }),
  );
  return summaries.filter((s) => s !== undefined);
}
