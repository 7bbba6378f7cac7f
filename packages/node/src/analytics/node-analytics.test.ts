// The IBD-coach study across three members of the demo region over real HTTP: the hospital, the
// insurer and the statistics office each compute their columns from their own FHIR store, exchange
// only signed shares, and release a table that equals the plaintext computation, with small and
// dominated cells suppressed, and the run stated on the log with every party's signature.
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueNodeToken } from '@ketenlog/auth';
import { signStatement, type Statement } from '@ketenlog/logbook';
import { agreementStatus, runsOf } from '@ketenlog/region';
import {
  MPC_MESSAGE_PATH,
  digestOf,
  ibdCoachPlaintext,
  ibdCoachSpec,
  type IbdCoachParties,
  appUseEffect,
  AGREEMENTS_PATH,
  cohortDomain,
  PEER_RUNS_PATH,
  RUNS_PATH,
} from '@ketenlog/analytics';
import { seedBundle } from '../demo/seed.ts';
import { ibdCoachTruth, insurerTruth } from '../demo/ibd-coach-truth.ts';
import { demoPopulation } from '../demo/population.ts';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { analyseCommand } from '../commands/analyse.ts';
import { logInProfessional } from '../auth/testing.ts';

const HOSPITAL = '11110003';
const INSURER = '11110004';
const STATISTICS = '11110005';
const KRAAMZORG = '11110001';
const CLIENTS = 120;
const parties: IbdCoachParties = {
  hospital: `ura:${HOSPITAL}`,
  insurer: `ura:${INSURER}`,
  statistics: `ura:${STATISTICS}`,
};
const SPEC_HASH = digestOf(ibdCoachSpec(parties));

let region: RunningRegion;
let regionFile: string;
const node = (ura: string): RunningNode => region.node(ura);
const baseUrl = (ura: string): string => node(ura).membership!.organisation.node.baseUrl;

/** What the portal's routes answer (one shape for every route the test calls). */
interface PortalAnswer {
  keyId?: string;
  statement: Statement;
  you?: unknown;
  run?: string;
  runs?: Record<string, unknown>[];
}

/** One login per professional (a TOTP code is taken once, so a second login within its period fails). */
const cookies = new Map<string, Promise<string>>();
const loggedIn = (ura: string, id: string): Promise<string> => {
  if (!cookies.has(id)) cookies.set(id, logInProfessional(baseUrl(ura), id));
  return cookies.get(id)!;
};

/** Polls until `check` holds (expect.poll is for tests only, not hooks). */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function agree(ura: string, agreement: string, extra: { specHash?: string; validUntil?: string } = {}) {
  const { statementKey } = node(ura).membership!;
  const statement: Statement = {
    kind: 'agreement',
    v: 1,
    author: statementKey.keyId,
    iat: Math.floor(Date.now() / 1000),
    body: {
      agreement,
      parties: Object.values(parties),
      purpose: 'research',
      specHash: extra.specHash ?? SPEC_HASH,
      ...(extra.validUntil ? { validUntil: extra.validUntil } : {}),
    },
  };
  const result = await node(ura).logbook!.append(signStatement(statement, statementKey.secretKey));
  expect(result.ok).toBe(true);
}

async function token(ura: string, audience: string, purpose = 'research'): Promise<string> {
  const { statementKey } = node(ura).membership!;
  return issueNodeToken(
    { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
    { organisation: ura, audience, role: 'node', purpose },
  );
}

async function askRun(at: string, agreement: string, from = at, purpose = 'research') {
  const response = await fetch(`${baseUrl(at)}${RUNS_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await token(from, baseUrl(at), purpose)}`,
    },
    body: JSON.stringify({ agreement }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const files = await demoRegionOnFreePorts();
  regionFile = files.regionFile;
  region = await startRegion({
    ...files,
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  // Only the three parties hold records in this test (the whole demo seed takes longer to index).
  const population = demoPopulation(CLIENTS);
  await Promise.all(
    [HOSPITAL, INSURER, STATISTICS].map(async (ura) => {
      const { region: config, organisation } = node(ura).membership!;
      await node(ura).repository.processBundle(
        seedBundle(config, organisation, population)!,
        node(ura).fhirBase,
      );
      await node(ura).exchange!.publisher!.flush();
    }),
  );
  for (const ura of [HOSPITAL, INSURER, STATISTICS])
    await until(
      () => cohortDomain(node(ura).logbook!.state, parties.insurer).length === CLIENTS,
      60_000,
      'the cohort on the index',
    );
  for (const ura of [HOSPITAL, INSURER, STATISTICS]) {
    await agree(ura, 'ibd-coach-2026', { validUntil: '2099-12-31' });
    await agree(ura, 'ibd-coach-2020', { validUntil: '2020-12-31' });
    await agree(ura, 'ibd-other-spec', { specHash: digestOf({ study: 'something else' }) });
  }
  await agree(HOSPITAL, 'ibd-half-signed');
  await agree(INSURER, 'ibd-half-signed');
  for (const ura of [HOSPITAL, INSURER, STATISTICS])
    await until(
      () => agreementStatus(node(ura).logbook!.state, 'ibd-other-spec')?.complete === true,
      20_000,
      'the agreements',
    );
}, 180_000);
afterAll(async () => region?.close());

/** The table as the demo seed defines it, computed in the clear from the population itself. */
function plaintext() {
  const population = demoPopulation(CLIENTS);
  return ibdCoachPlaintext(
    population.map((c) => (c.ibd ? { ibd: true, appUser: ibdCoachTruth(c)!.appUser } : undefined)),
    population.map(insurerTruth),
    population.map((c) => ({ incomeQuintile: (1 + ((c.n * 7 + (c.n >> 2)) % 5)) as 1 | 2 | 3 | 4 | 5 })),
  );
}

describe('an analysis run between the hospital, the insurer and the statistics office', () => {
  it('computes the agreed table over HTTP, equal to the plaintext, and states it on the log', async () => {
    const { status, body } = await askRun(HOSPITAL, 'ibd-coach-2026');
    expect(status, JSON.stringify(body)).toBe(200);
    const expected = plaintext();
    expect(body.cells).toEqual(expected);
    // the effect estimate comes with the table only when all four app use × income cells are released
    expect(body.effect).toEqual(appUseEffect(expected));
    expect(body.cohortSize).toBe(CLIENTS);
    expect(body.recordsLeftOut).toEqual({
      [parties.hospital]: 0,
      [parties.insurer]: 0,
      [parties.statistics]: 0,
    });
    // Small cells are suppressed, and only those: the income cross cells of 120 clients are thin.
    const cells = body.cells as { cell: string; suppressed: boolean; count?: number }[];
    expect(cells.filter((c) => !c.suppressed).map((c) => c.cell)).toContain('app-user');
    expect(cells.filter((c) => !c.suppressed).map((c) => c.cell)).toContain('non-user');
    expect(cells.some((c) => c.suppressed)).toBe(true);
    for (const c of cells) if (!c.suppressed) expect(c.count).toBeGreaterThanOrEqual(10);
    // The run is on the hospital's log, signed by all three parties, with the output digest.
    const { cells: _c, ...rest } = body;
    expect(rest.specHash).toBe(SPEC_HASH);
    await expect
      .poll(() => runsOf(node(INSURER).logbook!.state.analysis, 'ibd-coach-2026').length, { timeout: 20_000 })
      .toBe(1);
    const [run] = runsOf(node(INSURER).logbook!.state.analysis, 'ibd-coach-2026');
    expect(run!.outputDigest).toBe(body.outputDigest);
    expect(run!.signerKeyIds).toEqual(
      [HOSPITAL, INSURER, STATISTICS].map((u) => node(u).membership!.statementKey.keyId).sort(),
    );
  }, 60_000);

  it('can be asked of any party, by any party', async () => {
    const { status, body } = await askRun(STATISTICS, 'ibd-coach-2026', INSURER);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.cells).toEqual(plaintext());
  }, 60_000);

  it('is signed and run with `ketenlog analyse`', async () => {
    const printed: string[] = [];
    const log = vi
      .spyOn(console, 'log')
      .mockImplementation((...xs: unknown[]) => void printed.push(xs.join(' ')));
    const error = vi
      .spyOn(console, 'error')
      .mockImplementation((...xs: unknown[]) => void printed.push(xs.join(' ')));
    try {
      const cli = (...args: string[]) => analyseCommand.run(['--region', regionFile, ...args]);
      expect(await cli('--agreement', 'ibd-cli', '--organisation', HOSPITAL)).toBe(1);
      expect(printed.at(-1)).toMatch(/HTTP 403.*no analysis agreement ibd-cli/);
      for (const ura of [HOSPITAL, INSURER, STATISTICS])
        expect(await cli('--agreement', 'ibd-cli', '--organisation', ura, '--sign-agreement')).toBe(0);
      await until(
        () => agreementStatus(node(STATISTICS).logbook!.state, 'ibd-cli')?.complete === true,
        20_000,
        'the CLI agreement',
      );
      expect(await cli('--agreement', 'ibd-cli', '--organisation', STATISTICS)).toBe(0);
      expect(printed.join('\n')).toMatch(/app-user\s+n =\s+\d+/);
      expect(printed.join('\n')).toMatch(/suppressed/);
      expect(printed.join('\n')).toMatch(/GP visits \d+\.\d\d/);
      expect(printed.join('\n')).toMatch(/Effect of app use/);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }, 60_000);

  it("shows the analyst's page its agreements and past runs, with the run's statement on the log", async () => {
    const base = baseUrl(STATISTICS);
    const anonymous = await fetch(`${base}${AGREEMENTS_PATH}`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    expect((await fetch(`${base}${RUNS_PATH}`)).status).toBe(401);
    const cookie = await loggedIn(STATISTICS, 'pro:eva-mulder');
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`, { headers: { cookie } });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, Record<string, unknown>[]>;
    };
    const { agreements } = await get(AGREEMENTS_PATH);
    const byId = new Map(agreements!.map((a) => [a.id, a]));
    expect(byId.get('ibd-coach-2026')).toEqual({
      id: 'ibd-coach-2026',
      purpose: 'research',
      parties: Object.values(parties).sort(),
      specHash: SPEC_HASH,
      validUntil: '2099-12-31',
      signedBy: Object.values(parties).sort(),
      complete: true,
      valid: true,
      study: 'ibd-coach-evaluation',
    });
    expect(byId.get('ibd-coach-2020')).toMatchObject({ complete: true, valid: false });
    expect(byId.get('ibd-half-signed')).toMatchObject({
      complete: false,
      valid: false,
      signedBy: [parties.hospital, parties.insurer],
    });
    // The statistics office took part in the runs above (one of them as coordinator).
    await expect
      .poll(async () => ((await get(RUNS_PATH)).runs ?? []).filter((r) => r.statement).length, {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(2);
    const { runs } = await get(RUNS_PATH);
    const released = runs!.filter((r) => r.agreement === 'ibd-coach-2026' && r.status === 'released');
    expect(released.length).toBeGreaterThanOrEqual(2);
    for (const run of released) {
      expect(run.recordsLeftOut).toEqual({
        [parties.hospital]: 0,
        [parties.insurer]: 0,
        [parties.statistics]: 0,
      });
      expect((run.output as { cells: unknown }).cells).toEqual(plaintext());
      expect(Date.parse(run.finishedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(run.startedAt as string),
      );
      const stated = [...node(STATISTICS).logbook!.state.analysis.runs.values()].find(
        (r) => r.outputDigest === run.outputDigest,
      );
      expect(run.statement).toEqual({ log: stated!.at.origin, index: stated!.at.index });
    }
  }, 60_000);

  it.each([
    ['no agreement', 'ibd-unknown', HOSPITAL, /no analysis agreement ibd-unknown/],
    ['an expired agreement', 'ibd-coach-2020', HOSPITAL, /expired/],
    ['an agreement not signed by every party', 'ibd-half-signed', HOSPITAL, /not signed by every party/],
    ['an agreement for another computation', 'ibd-other-spec', HOSPITAL, /another computation/],
    ['a requester that is not a party', 'ibd-coach-2026', KRAAMZORG, /ura:11110001 is not a party/],
  ])('refuses a run under %s with a 403 OperationOutcome', async (_what, agreement, from, reason) => {
    const { status, body } = await askRun(HOSPITAL, agreement, from);
    expect(status).toBe(403);
    expect(body.resourceType).toBe('OperationOutcome');
    expect((body.issue as { diagnostics: string }[])[0]!.diagnostics).toMatch(reason);
  });

  it("is signed by each party's assessor with her own key and run from an analyst's session (the portal's routes)", async () => {
    const session = async (ura: string, id: string) => {
      const base = baseUrl(ura);
      const cookie = await loggedIn(ura, id);
      return async (path: string, body?: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as PortalAnswer };
      };
    };
    const assessors = {
      hospital: await session(HOSPITAL, 'pro:joost-kok'),
      insurer: await session(INSURER, 'pro:lieke-smeets'),
      statistics: await session(STATISTICS, 'pro:eva-mulder'),
    };
    // A medical specialist may not sign research agreements.
    const carla = await session(HOSPITAL, 'pro:carla-bakker');
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = Buffer.from(ed25519.getPublicKey(secret)).toString('base64');
    expect((await carla('/analytics/keys', { publicKey })).status).toBe(403);
    expect((await assessors.hospital('/analytics/keys', { publicKey: 'x' })).status).toBe(400);
    const keys: Record<string, { keyId: string; secret: Uint8Array }> = {};
    for (const [party, call] of Object.entries(assessors)) {
      const secretKey = ed25519.utils.randomSecretKey();
      const bound = await call('/analytics/keys', {
        publicKey: Buffer.from(ed25519.getPublicKey(secretKey)).toString('base64'),
      });
      expect(bound.status).toBe(201);
      keys[party] = { keyId: bound.body.keyId as string, secret: secretKey };
      const draft = await call('/analytics/agreement-drafts', {
        agreement: 'ibd-portal',
        keyId: keys[party]!.keyId,
        validUntil: '2099-12-31',
      });
      expect(draft.status).toBe(200);
      expect(draft.body.statement.body).toMatchObject({
        parties: Object.values(parties),
        specHash: SPEC_HASH,
      });
      // Another's key is refused; her own goes on her organisation's log.
      if (party === 'insurer') {
        const foreign = signStatement(
          { ...draft.body.statement, author: keys.hospital!.keyId },
          keys.hospital!.secret,
        );
        expect((await call('/analytics/agreement-signatures', { envelope: foreign })).status).toBe(409);
      }
      const envelope = signStatement(draft.body.statement, secretKey);
      const signed = await call('/analytics/agreement-signatures', { envelope });
      expect(signed.status).toBe(201);
      // The sender's node mirrors the agreement before the next party drafts the same terms.
      await until(
        () =>
          (agreementStatus(node(STATISTICS).logbook!.state, 'ibd-portal')?.signedBy.length ?? 0) >=
          Object.keys(keys).length,
        20_000,
        'the signature',
      );
      for (const ura of [HOSPITAL, INSURER])
        await until(
          () => agreementStatus(node(ura).logbook!.state, 'ibd-portal') !== undefined,
          20_000,
          'the terms',
        );
    }
    const again = await assessors.hospital('/analytics/agreement-drafts', {
      agreement: 'ibd-portal',
      keyId: keys.hospital!.keyId,
    });
    expect(again.status).toBe(409);
    for (const ura of [HOSPITAL, INSURER, STATISTICS])
      await until(
        () => agreementStatus(node(ura).logbook!.state, 'ibd-portal')?.complete === true,
        20_000,
        'all signatures',
      );
    // A privacy officer signs but does not run; a run under a half-signed agreement is refused at once.
    expect((await assessors.hospital('/analytics/agreements/ibd-portal/runs', {})).status).toBe(403);
    expect((await assessors.statistics('/analytics/agreements/ibd-half-signed/runs', {})).status).toBe(403);
    const listed = await assessors.statistics(AGREEMENTS_PATH);
    expect(listed.body.you).toEqual({ organisation: parties.statistics, maySign: true, mayRun: true });
    expect((await assessors.hospital(AGREEMENTS_PATH)).body.you).toMatchObject({
      maySign: true,
      mayRun: false,
    });
    const started = await assessors.statistics('/analytics/agreements/ibd-portal/runs', {});
    expect(started.status).toBe(202);
    const id = started.body.run as string;
    const phases = new Set<string>();
    await expect
      .poll(
        async () => {
          const run = ((await assessors.statistics(RUNS_PATH)).body.runs as Record<string, unknown>[]).find(
            (r) => r.id === id,
          );
          if (run?.phase) phases.add(run.phase as string);
          return run?.status;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe('released');
    expect(phases.size).toBeGreaterThan(0);
    const run = ((await assessors.statistics(RUNS_PATH)).body.runs as Record<string, unknown>[]).find(
      (r) => r.id === id,
    )!;
    expect((run.output as { cells: unknown }).cells).toEqual(plaintext());
  }, 120_000);

  it('refuses a run asked for another purpose than research', async () => {
    const { status, body } = await askRun(HOSPITAL, 'ibd-coach-2026', HOSPITAL, 'treatment');
    expect(status).toBe(403);
    expect(body.resourceType).toBe('OperationOutcome');
  });

  it('refuses forged, tampered and foreign MPC messages for a prepared run', async () => {
    // The hospital prepares a run at the insurer, as a coordinator would.
    const runId = 'forgery-check';
    const domain = digestOf(cohortDomain(node(INSURER).logbook!.state, parties.insurer));
    const prepared = await fetch(`${baseUrl(INSURER)}${PEER_RUNS_PATH}/prepare`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await token(HOSPITAL, baseUrl(INSURER))}`,
      },
      body: JSON.stringify({
        run: runId,
        agreement: 'ibd-coach-2026',
        coordinator: parties.hospital,
        domain,
      }),
    });
    expect(prepared.status).toBe(200);
    const session = digestOf({ run: runId, specHash: SPEC_HASH, domain });
    const post = async (from: number, key: Uint8Array, o: { tamper?: boolean; session?: string } = {}) => {
      const meta = JSON.stringify({ specHash: o.session ?? session, round: 1, from, to: 2, count: 1 });
      const body = new Uint8Array(16).fill(1);
      const signed = Buffer.concat([Buffer.from(`ketenlog-mpc-v1\n${meta}\n`), body]);
      const sig = ed25519.sign(signed, key);
      if (o.tamper) body[3] = 7;
      const response = await fetch(`${baseUrl(INSURER)}${MPC_MESSAGE_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'x-ketenlog-mpc': Buffer.from(meta).toString('base64url'),
          'x-ketenlog-mpc-signature': Buffer.from(sig).toString('base64url'),
        },
        body,
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as { resourceType?: string } };
    };
    const key = (ura: string) => node(ura).membership!.statementKey.secretKey;
    // a member of the region that is not in the run, claiming to be the hospital
    expect((await post(1, key(KRAAMZORG))).status).toBe(401);
    // the hospital's own signature over other bytes
    const tampered = await post(1, key(HOSPITAL), { tamper: true });
    expect(tampered.status).toBe(401);
    expect(tampered.body.resourceType).toBe('OperationOutcome');
    // a party index outside the run
    expect((await post(4, key(KRAAMZORG))).status).toBe(403);
    // an unknown run
    expect((await post(1, key(HOSPITAL), { session: digestOf('nothing') })).status).toBe(404);
    // a genuine message is taken, and its replay refused
    expect((await post(1, key(HOSPITAL))).status).toBe(204);
    expect((await post(1, key(HOSPITAL))).status).toBe(409);
  });
});
