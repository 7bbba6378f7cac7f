import {
  STATEMENT_VERSION,
  signStatement,
  signStatementEd25519,
  verifyReceipt,
  entryBytes,
  type SignedStatement,
  type Statement,
} from '@ketenlog/logbook';
import { receiptPolicyFor } from '@ketenlog/region';
import { assert, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome } from './problem.ts';
import { newTestKey, signed } from './testing/memory-logbook.ts';
import { MARIA, story, type Story } from './testing/story.ts';

let s: Story;
beforeEach(async () => {
  s = await story();
});
afterEach(async () => s.db.close());

function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`${outcome.problem.code}: ${outcome.problem.text}`);
  return outcome.value;
}

const indication = {
  indication: 'ind-maria-1',
  subject: MARIA,
  provider: 'ura:11110001',
  birthDate: '2026-11-20',
  carePackage: 'basis-borstvoeding' as const,
  days: 8,
  carers: ['pro:anna-jansen'],
};
const visit = (date: string, start: string, end: string) => ({
  date,
  start,
  end,
  activities: ['zorg-moeder', 'zorg-kind'],
});

async function logEntry(date: string, start: string, end: string, supersedes?: string): Promise<string> {
  const draft = value(s.service.draftEntry('ind-maria-1', s.anna.keyId, visit(date, start, end), supersedes));
  return value(await s.service.submitEntry(signStatement(draft.statement, s.anna.secret), supersedes)).hash;
}

async function decide(entry: string, decision: 'approved' | 'rejected', reason?: string) {
  const draft = value(s.service.draftApproval(entry, s.maria.credential.keyId, decision, reason));
  return s.service.submitApproval(s.maria.sign(draft.statement));
}

describe('indication and budget', () => {
  it('answers only once the care file is stored, and a storage error reaches the caller', async () => {
    let stored = false;
    s.service.files.saveFile = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stored = true;
    };
    value(await s.service.recordIndication(indication));
    expect(stored).toBe(true);
    s.service.files.saveFile = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('disk full');
    };
    await expect(s.service.recordIndication({ ...indication, indication: 'ind-maria-2' })).rejects.toThrow(
      'disk full',
    );
  });

  it('records a basic breastfeeding indication of 49 hours and explains the budget line by line', async () => {
    value(await s.service.recordIndication(indication));
    value(
      await s.service.reindicate('ind-maria-1', {
        hours: 8,
        reason: 'verloskundige',
        note: 'extra voedingsbegeleiding',
      }),
    );
    value(await s.service.reindicate('ind-maria-1', { hours: -6, reason: 'ziekenhuisopname' }));
    const budget = value(s.service.budget('ind-maria-1'));
    expect(budget.lines.map((l) => [l.reason, l.hours, l.total])).toEqual([
      ['indicatie', 49, 49],
      ['verloskundige', 8, 57],
      ['ziekenhuisopname', -6, 51],
    ]);
    expect(budget.lines.reduce((sum, l) => sum + l.hours, 0)).toBe(51);
    expect(budget.budgetMinutes).toBe(51 * 60);
    expect(budget.lines[1]?.note).toBe('extra voedingsbegeleiding');
  });

  it('refuses indications the protocol does not allow, with typed codes', async () => {
    const code = async (input: object) => {
      const result = await s.service.recordIndication({ ...indication, ...input });
      return result.ok ? 'ok' : result.problem.code;
    };
    expect(await code({ carePackage: 'maatwerk', hours: 81 })).toBe('indication-hours-out-of-range');
    expect(await code({ carePackage: 'maatwerk', hours: 20 })).toBe('indication-hours-out-of-range');
    expect(await code({ days: 7 })).toBe('indication-days-out-of-range');
    expect(await code({ days: 11 })).toBe('indication-days-out-of-range');
    expect(await code({ hours: 60 })).toBe('indication-package-hours');
    expect(await code({ birthDate: '2026-02-30' })).toBe('invalid-input');
    expect(await code({ carers: [] })).toBe('invalid-input');
    expect(await code({ carePackage: 'luxe' })).toBe('invalid-input');
    expect(await code({ carePackage: 'maatwerk', hours: 80 })).toBe('ok');
    expect(await code({})).toBe('indication-exists');
  });

  it('keeps a re-indication within 24 to 80 hours and needs a known indication', async () => {
    value(await s.service.recordIndication({ ...indication, carePackage: 'minimum' }));
    const removed = await s.service.reindicate('ind-maria-1', { hours: -1, reason: 'ziekenhuisopname' });
    expect(!removed.ok && removed.problem).toMatchObject({ code: 'reindication-out-of-range' });
    expect(!removed.ok && removed.problem.text).toMatch(/24 tot 80 uur/);
    const zero = await s.service.reindicate('ind-maria-1', { hours: 0, reason: 'overig' });
    expect(!zero.ok && zero.problem.code).toBe('reindication-no-change');
    const unknown = await s.service.reindicate('ind-x', { hours: 4, reason: 'verloskundige' });
    expect(!unknown.ok && unknown.problem).toMatchObject({ code: 'indication-unknown', status: 404 });
  });
});

describe('logging a visit', () => {
  beforeEach(async () => {
    value(await s.service.recordIndication({ ...indication, carePackage: 'minimum' }));
  });

  it('logs a visit signed by the assigned carer; the region folds it as pending', async () => {
    const hash = await logEntry('2026-11-21', '09:00', '12:00');
    const [entry] = s.service.entries('ind-maria-1');
    expect(entry).toMatchObject({ hash, status: 'pending', minutes: 180, carer: 'pro:anna-jansen' });
    expect(value(s.service.budget('ind-maria-1'))).toMatchObject({
      pendingMinutes: 180,
      availableMinutes: 24 * 60 - 180,
    });
  });

  it('rejects each bad visit with its code and a Dutch message', async () => {
    await logEntry('2026-11-21', '09:00', '12:00');
    const problemOf = (v: ReturnType<typeof visit>, key = s.anna.keyId) => {
      const result = s.service.draftEntry('ind-maria-1', key, v);
      return result.ok ? undefined : result.problem;
    };
    expect(problemOf(visit('2026-11-21', '11:00', '13:00'))).toMatchObject({
      code: 'entry-overlap',
      status: 409,
    });
    expect(problemOf(visit('2026-11-21', '11:00', '13:00'))?.text).toMatch(
      /overlapt met een ander bezoek op 2026-11-21 van 09:00 tot 12:00/,
    );
    expect(problemOf(visit('2026-11-24', '11:00', '13:00'))?.code).toBe('entry-in-future');
    expect(problemOf(visit('2026-11-19', '09:00', '10:00'))?.code).toBe('entry-outside-care-period');
    expect(problemOf(visit('2026-11-19', '09:00', '10:00'))?.text).toMatch(
      /2026-11-20 tot en met 2026-11-27/,
    );
    expect(problemOf(visit('2026-11-22', '00:00', '23:00'))?.code).toBe('entry-over-budget');
    expect(problemOf(visit('2026-11-22', '00:00', '23:00'))?.text).toMatch(/herindicatie/);
    expect(problemOf(visit('2026-11-22', '09:00', '10:00'), s.eva.keyId)?.code).toBe('carer-not-assigned');
    expect(problemOf(visit('2026-11-22', '10:00', '09:00'))?.code).toBe('entry-invalid-time');
    expect(problemOf({ ...visit('2026-11-22', '09:00', '10:00'), activities: ['koffie'] })?.code).toBe(
      'entry-invalid-activity',
    );
  });

  it('allows hours beyond the first budget once a re-indication adds them', async () => {
    await logEntry('2026-11-21', '01:00', '23:00');
    expect(s.service.draftEntry('ind-maria-1', s.anna.keyId, visit('2026-11-22', '08:00', '12:00')).ok).toBe(
      false,
    );
    value(await s.service.reindicate('ind-maria-1', { hours: 8, reason: 'verloskundige' }));
    expect(s.service.draftEntry('ind-maria-1', s.anna.keyId, visit('2026-11-22', '08:00', '12:00')).ok).toBe(
      true,
    );
  });

  it('checks a signed entry again on submission (queued offline): a stranger cannot slip one in', async () => {
    const draft = value(
      s.service.draftEntry('ind-maria-1', s.anna.keyId, visit('2026-11-22', '09:00', '10:00')),
    );
    const byEva = signStatement({ ...draft.statement, author: s.eva.keyId }, s.eva.secret);
    const refused = await s.service.submitEntry(byEva);
    expect(!refused.ok && refused.problem.code).toBe('carer-not-assigned');
    const forged: SignedStatement = {
      statement: draft.statement,
      signatures: [signStatementEd25519(draft.statement, s.eva.secret)],
    };
    const bad = await s.service.submitEntry(forged);
    expect(!bad.ok && bad.problem.code).toBe('refused-by-logbook');
    expect((await s.service.submitEntry({ nonsense: true })).ok).toBe(false);
  });
});

describe('the client approves', () => {
  beforeEach(async () => {
    value(await s.service.recordIndication({ ...indication, carePackage: 'minimum' }));
  });

  it('approves and rejects with her passkey; a correction supersedes the rejected entry with history kept', async () => {
    const first = await logEntry('2026-11-21', '09:00', '12:00');
    const second = await logEntry('2026-11-22', '09:00', '12:00');
    value(await decide(first, 'approved'));
    value(await decide(second, 'rejected', 'Kraamverzorgende was er tot 11:00'));
    expect(value(s.service.budget('ind-maria-1'))).toMatchObject({
      approvedMinutes: 180,
      remainingMinutes: 24 * 60 - 180,
    });

    const corrected = await logEntry('2026-11-22', '09:00', '11:00', second);
    const entries = s.service.entries('ind-maria-1');
    expect(entries.map((e) => [e.hash, e.status])).toEqual([
      [first, 'approved'],
      [second, 'superseded'],
      [corrected, 'pending'],
    ]);
    expect(entries[1]).toMatchObject({
      reason: 'Kraamverzorgende was er tot 11:00',
      supersededBy: corrected,
    });
    expect(entries[2]?.supersedes).toBe(second);
    value(await decide(corrected, 'approved'));
    expect(value(s.service.budget('ind-maria-1')).remainingMinutes).toBe(24 * 60 - 300);
  });

  it('refuses a rejection without reason, a second decision, a correction of an approved entry and a carer approving', async () => {
    const entry = await logEntry('2026-11-21', '09:00', '12:00');
    const noReason = s.service.draftApproval(entry, s.maria.credential.keyId, 'rejected');
    expect(!noReason.ok && noReason.problem.code).toBe('approval-needs-reason');
    const byCarer = s.service.draftApproval(entry, s.anna.keyId, 'approved');
    expect(!byCarer.ok && byCarer.problem.code).toBe('approval-not-client');
    value(await decide(entry, 'approved'));
    const again = s.service.draftApproval(entry, s.maria.credential.keyId, 'rejected', 'toch niet');
    expect(!again.ok && again.problem).toMatchObject({ code: 'approval-already-decided', status: 409 });
    const correction = s.service.draftEntry(
      'ind-maria-1',
      s.anna.keyId,
      visit('2026-11-22', '09:00', '10:00'),
      entry,
    );
    expect(!correction.ok && correction.problem.code).toBe('correction-of-unrejected-entry');
  });

  it("takes a delegate's approval only while the client's delegation is in force", async () => {
    const entry = await logEntry('2026-11-21', '09:00', '12:00');
    const partner = newTestKey();
    const kz = s.region.kraamzorg;
    const bound = await s.logbook.append(
      signed(kz.key, 'key', 1, {
        action: 'bind',
        keyId: partner.keyId,
        alg: 'Ed25519',
        publicKey: partner.publicKey,
        holder: 'rep:partner-of-maria',
        role: 'delegate',
        organisation: kz.ref,
      }),
    );
    expect(bound.ok).toBe(true);
    const approve = async () => {
      const draft = value(s.service.draftApproval(entry, partner.keyId, 'approved'));
      return s.service.submitApproval(signStatement(draft.statement, partner.secret));
    };
    const early = await approve();
    expect(!early.ok && early.problem.text).toMatch(/no delegation in force/);
    const delegation: Statement = {
      kind: 'consent',
      v: STATEMENT_VERSION,
      author: s.maria.credential.keyId,
      iat: Math.floor(s.clock.now / 1000),
      subject: MARIA,
      body: {
        decision: 'grant',
        grantee: 'rep:partner-of-maria',
        category: 'carelog.approval',
        purpose: 'delegation',
      },
    };
    expect((await s.logbook.append(s.maria.sign(delegation))).ok).toBe(true);
    value(await approve());
    expect(s.service.entries('ind-maria-1')[0]?.status).toBe('approved');
  });

  it('lets the logbook refuse an approval whose passkey signature does not cover the statement', async () => {
    const entry = await logEntry('2026-11-21', '09:00', '12:00');
    const draft = value(s.service.draftApproval(entry, s.maria.credential.keyId, 'approved'));
    const signedOther = s.maria.sign({ ...draft.statement, iat: draft.statement.iat + 1 });
    const result = await s.service.submitApproval({
      statement: draft.statement,
      signatures: signedOther.signatures,
    });
    expect(!result.ok && result.problem.code).toBe('refused-by-logbook');
    expect(s.service.entries('ind-maria-1')[0]?.status).toBe('pending');
  });
});

describe('insurer and declarations', () => {
  beforeEach(async () => {
    value(await s.service.recordIndication({ ...indication, carePackage: 'minimum' }));
    await s.consent('grant');
  });

  it("shows the insurer nothing without the client's consent for billing, nor after her objection", async () => {
    const fresh = await story();
    try {
      value(await fresh.service.recordIndication({ ...indication, carePackage: 'minimum' }));
      const draft = value(
        fresh.service.draftEntry('ind-maria-1', fresh.anna.keyId, visit('2026-11-21', '09:00', '12:00')),
      );
      const entry = value(
        await fresh.service.submitEntry(signStatement(draft.statement, fresh.anna.secret)),
      ).hash;
      const approval = value(fresh.service.draftApproval(entry, fresh.maria.credential.keyId, 'approved'));
      value(await fresh.service.submitApproval(fresh.maria.sign(approval.statement)));
      const insurer = fresh.region.insurer.ref;
      expect(await fresh.service.insurerEntries(insurer)).toEqual([]);
      expect(value(await fresh.service.declare(insurer))).toEqual([]);
      await fresh.consent('grant');
      expect(await fresh.service.insurerEntries(insurer)).toHaveLength(1);
      fresh.clock.now += 1000;
      await fresh.consent('objection');
      expect(await fresh.service.insurerEntries(insurer)).toEqual([]);
    } finally {
      await fresh.db.close();
    }
  });

  it('shows the insurer approved entries only, each with receipts that verify offline', async () => {
    const approved = await logEntry('2026-11-21', '09:00', '12:00');
    const rejected = await logEntry('2026-11-22', '09:00', '12:00');
    await logEntry('2026-11-23', '09:00', '12:00');
    value(await decide(approved, 'approved'));
    value(await decide(rejected, 'rejected', 'niet geweest'));
    const seen = await s.service.insurerEntries(s.region.insurer.ref);
    expect(seen.map((e) => e.entry.hash)).toEqual([approved]);
    const policy = receiptPolicyFor(s.region.config, s.region.kraamzorg.log.origin);
    if (!policy) throw new Error('no receipt policy');
    const [first] = seen;
    assert(first);
    const { entryReceipt, approvalReceipt } = first;
    const entryBytesAt = (i: number | undefined) => {
      const bytes = i === undefined ? undefined : s.logbook.entries[i];
      assert(bytes, `no logbook entry at ${i}`);
      return bytes;
    };
    expect(verifyReceipt(entryReceipt as string, entryBytesAt(first.entry.at.index), policy).ok).toBe(true);
    expect(
      verifyReceipt(approvalReceipt as string, entryBytesAt(first.entry.approval?.at.index), policy).ok,
    ).toBe(true);
    expect(
      verifyReceipt(
        entryReceipt as string,
        entryBytes({
          statement: { kind: 'index', v: 1, author: 'x', iat: 1, body: {} },
          signatures: [],
        } as unknown as SignedStatement),
        policy,
      ).ok,
    ).toBe(false);
    expect(await s.service.insurerEntries('ura:11110008')).toEqual([]);
  });

  it('declares approved, undeclared entries once; an unapproved hour cannot be declared', async () => {
    const a = await logEntry('2026-11-21', '09:00', '12:00');
    const pending = await logEntry('2026-11-22', '09:00', '12:00');
    const rejected = await logEntry('2026-11-23', '09:00', '10:00');
    value(await decide(a, 'approved'));
    value(await decide(rejected, 'rejected', 'niet geweest'));
    const insurer = s.region.insurer.ref;
    for (const hash of [pending, rejected]) {
      const refused = await s.service.declare(insurer, [hash]);
      expect(!refused.ok && refused.problem.code).toBe('entry-not-approved');
    }
    const [declaration] = value(await s.service.declare(insurer));
    assert(declaration);
    expect(declaration).toMatchObject({
      subject: MARIA,
      indication: 'ind-maria-1',
      entries: [a],
      minutes: 180,
      paymentStatus: 'ingediend',
    });
    expect(value(await s.service.declare(insurer))).toEqual([]);
    const twice = await s.service.declare(insurer, [a]);
    expect(!twice.ok && twice.problem.code).toBe('entry-already-declared');
    expect(s.service.entries('ind-maria-1')[0]?.declaration).toBe(declaration.id);
    expect(value(await s.service.setPaymentStatus(insurer, declaration.id, 'betaald')).paymentStatus).toBe(
      'betaald',
    );
    expect((await s.service.setPaymentStatus('ura:11110008', declaration.id, 'betaald')).ok).toBe(false);
  });
});
