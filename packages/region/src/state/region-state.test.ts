import { toBase64 } from '@ketenlog/logbook';
import { describe, expect, it } from 'vitest';
import {
  MARIA,
  PARTNER,
  SPEC_HASH,
  T0,
  conflictedHistory,
  interleave,
  regionHistory,
  seededRandom,
  testRegion,
  type AppendedEntry,
} from '../testing.ts';
import { holdersOf } from './localisation.ts';
import { consentsInForce, delegationInForce, effectiveConsent } from './consents.ts';
import { currentIndication, entryStatus, indicationSummary } from './carelog.ts';
import { keyStatus, partyOfKey } from './keys.ts';
import { agreementStatus, runsOf } from './analysis.ts';
import { accessesOf } from './access-trail.ts';
import {
  FoldError,
  applyEntry,
  approvedMinutesForInsurer,
  createRegionState,
  foldLogs,
  hashOfStatement,
  insurersOf,
  snapshotState,
  type RegionState,
} from './region-state.ts';

const region = testRegion();
const history = regionHistory(region);
const { kraamzorg: kz, verloskunde: vk, ziekenhuis: zh, verzekeraar: zv, statistiek: st } = region;

function foldInOrder(entries: readonly AppendedEntry[]): RegionState {
  const state = createRegionState(region.config);
  for (const e of entries) applyEntry(state, e.log, e.index, e.envelope);
  return state;
}

describe('the region state folded from the logs', () => {
  const state = foldLogs(region.config, history.logs.logs());

  it('keeps the localisation index per pseudonym', () => {
    expect(holdersOf(state.index, MARIA)).toEqual(
      [
        { holder: kz.ref, categories: ['kraamzorg'] },
        { holder: vk.ref, categories: ['zwangerschap'] },
        { holder: zh.ref, categories: ['medication'] },
        { holder: zv.ref, categories: ['verzekering'] },
      ].sort((a, b) => (a.holder < b.holder ? -1 : 1)),
    );
    expect(holdersOf(state.index, 'pNobody-000000000000')).toEqual([]);
  });

  it('applies key bindings, rotations and revocations on top of the configured keys', () => {
    expect(keyStatus(state.keys, kz.key.keyId)).toBe('active');
    expect(keyStatus(state.keys, history.anna.keyId)).toBe('rotated');
    expect(state.keys.rotations.get(history.anna.keyId)?.replacedBy).toBe(history.anna2.keyId);
    expect(keyStatus(state.keys, history.anna2.keyId)).toBe('active');
    expect(keyStatus(state.keys, history.bram.keyId)).toBe('revoked');
    expect(partyOfKey(region.config, state.keys, history.anna2.keyId)).toMatchObject({
      kind: 'professional',
      id: 'pro:anna-jansen',
      role: 'kraamverzorgende',
    });
    expect(partyOfKey(region.config, state.keys, history.maria.keyId)).toEqual({
      kind: 'person',
      holder: MARIA,
      role: 'client',
      subject: MARIA,
    });
  });

  it('derives the effective consent decision, with revoked delegations out of force', () => {
    const request = { grantee: zh.ref, category: 'medication', purpose: 'treatment' };
    expect(effectiveConsent(state.consents, MARIA, request).decision).toBe('grant');
    expect(effectiveConsent(state.consents, MARIA, { ...request, category: 'ggz' }).decision).toBe(
      'objection',
    );
    expect(effectiveConsent(state.consents, MARIA, { ...request, category: 'lab' }).decision).toBe('none');
    expect(delegationInForce(state.consents, MARIA, PARTNER, 'carelog.approval')).toBe(false);
    expect(consentsInForce(state.consents.get(MARIA)).map((c) => c.hash)).not.toContain(history.delegation);
  });

  it('knows the hours: indicated, approved, rejected, and what the insurer may declare', () => {
    const [e1, e2, e3] = history.entries;
    expect([e1, e2, e3].map((e) => entryStatus(state.carelog, e))).toEqual([
      'approved',
      'approved',
      'rejected',
    ]);
    expect(indicationSummary(state.carelog, 'ind-maria-1')).toMatchObject({
      indicatedMinutes: 49 * 60,
      loggedMinutes: 180 + 150 + 60,
      approvedMinutes: 330,
      rejectedMinutes: 60,
      pendingMinutes: 0,
      remainingMinutes: 49 * 60 - 330,
    });
    expect(insurersOf(state, MARIA)).toEqual([zv.ref]);
    expect(approvedMinutesForInsurer(state, zv.ref)).toEqual(new Map([[MARIA, 330]]));
    expect(approvedMinutesForInsurer(state, zh.ref)).toEqual(new Map());
  });

  it('records the agreement with the parties that signed it, its run and the access trail', () => {
    expect(agreementStatus(state, 'agr-geboorte-2026')).toEqual({
      terms: {
        agreement: 'agr-geboorte-2026',
        parties: [zh.ref, zv.ref, st.ref].sort(),
        purpose: 'birth outcomes',
        specHash: SPEC_HASH,
      },
      signedBy: [zh.ref, zv.ref, st.ref].sort(),
      complete: true,
    });
    expect(runsOf(state.analysis, 'agr-geboorte-2026')).toHaveLength(1);
    expect(accessesOf(state.access, MARIA).map((a) => a.accessor)).toEqual(['pro:carla-bakker']);
  });

  it('counts how far each log was folded', () => {
    expect(state.logSizes.get(kz.log.origin)).toBe(history.logs.perLog()[0]!.length);
  });

  it('refuses to fold an entry that is not a statement', () => {
    expect(() => foldLogs(region.config, [{ log: kz.log, entries: [new Uint8Array([1, 2])] }])).toThrow(
      FoldError,
    );
  });
});

describe('the fold does not depend on how the logs interleave', () => {
  const conflicted = conflictedHistory(region);
  const perLog = conflicted.logs.perLog();
  const rebuilt = foldLogs(region.config, conflicted.logs.logs());
  const reference = snapshotState(rebuilt);

  it('settles conflicts by (iat, origin, index)', () => {
    // The tie at `late` goes to the log whose origin sorts last: the later position stands.
    const lab = effectiveConsent(rebuilt.consents, MARIA, {
      grantee: zh.ref,
      category: 'lab',
      purpose: 'treatment',
    });
    const later = kz.log.origin > zh.log.origin ? 'objection' : 'grant';
    expect(lab.decision).toBe(later);
    expect(entryStatus(rebuilt.carelog, conflicted.entries[2])).toBe('approved');
    expect(agreementStatus(rebuilt, 'agr-geboorte-2026')?.terms.purpose).toBe('other');
    expect(currentIndication(rebuilt.carelog, 'ind-maria-1')?.hours).toBe(
      kz.log.origin > vk.log.origin ? 60 : 70,
    );
    expect(rebuilt.keys.revocations.get(conflicted.maria.keyId)?.at.iat).toBe(T0 + 1000 - 3);
  });

  it('gives deep-equal states for 200 seeded random interleavings, each equal to the rebuild', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const order = interleave(perLog, seededRandom(seed));
      const live = foldInOrder(order);
      expect(snapshotState(live), `seed ${seed}`).toEqual(reference);
      expect(live).toEqual(rebuilt);
    }
  });

  it('gives the same state whatever order foldLogs reads the logs in', () => {
    const reversed = foldLogs(region.config, conflicted.logs.logs().reverse());
    expect(JSON.stringify(snapshotState(reversed))).toBe(JSON.stringify(reference));
  });

  it('tells different histories apart', () => {
    const shorter = perLog.map((entries, i) => (i === 0 ? entries.slice(0, -1) : entries));
    expect(snapshotState(foldInOrder(shorter.flat()))).not.toEqual(reference);
  });

  it('hashes statements as approvals cite them', () => {
    const entry = perLog.flat().find((e) => e.envelope.statement.kind === 'carelog.entry');
    expect(hashOfStatement(entry!.envelope.statement)).toBe(conflicted.entries[0]);
    expect(toBase64(new Uint8Array(32).fill(3))).toBe(SPEC_HASH);
  });
});
