import { describe, expect, it } from 'vitest';
import type { StatementOf } from '@ketenlog/logbook';
import { applyAgreement, emptyAnalysis } from '@ketenlog/region';
import { analysisRunDraft, authorizeRun, consentFilter, digestOf } from './run-authorization.ts';

const spec = { version: 1, inputs: [{ owner: 'ziekenhuis', column: 'app', count: 4350 }], outputs: ['sum'] };

function register(specHash: string, signers: string[], validUntil?: string) {
  const r = emptyAnalysis();
  const body = {
    agreement: 'ibd-2026',
    parties: ['cbs', 'cz', 'ziekenhuis'],
    purpose: 'research',
    specHash,
    ...(validUntil ? { validUntil } : {}),
  };
  applyAgreement(
    r,
    { body } as unknown as StatementOf<'agreement'>,
    'h1',
    { iat: 1, origin: 'o', index: 0 },
    signers,
  );
  return r;
}
const now = new Date('2026-11-24T08:00:00Z');

describe('run authorization', () => {
  it('allows the agreed spec for a signer, refuses everything else with a typed reason', () => {
    const h = digestOf(spec);
    expect(digestOf({ outputs: ['sum'], version: 1, inputs: spec.inputs })).toBe(h); // canonical: key order free
    expect(
      authorizeRun({ register: register(h, ['k1']), agreement: 'ibd-2026', spec, myKeyIds: ['k1'], now }),
    ).toMatchObject({ ok: true, specHash: h });
    expect(
      authorizeRun({ register: register(h, ['k1']), agreement: 'other', spec, myKeyIds: ['k1'], now }),
    ).toMatchObject({ ok: false, reason: 'no-agreement' });
    expect(
      authorizeRun({
        register: register(h, ['k1']),
        agreement: 'ibd-2026',
        spec: { ...spec, version: 2 },
        myKeyIds: ['k1'],
        now,
      }),
    ).toMatchObject({ ok: false, reason: 'spec-hash-differs' });
    expect(
      authorizeRun({ register: register(h, ['k2']), agreement: 'ibd-2026', spec, myKeyIds: ['k1'], now }),
    ).toMatchObject({ ok: false, reason: 'not-signed-by-this-node' });
    expect(
      authorizeRun({
        register: register(h, ['k1'], '2026-01-01T00:00:00Z'),
        agreement: 'ibd-2026',
        spec,
        myKeyIds: ['k1'],
        now,
      }),
    ).toMatchObject({ ok: false, reason: 'expired' });
  });
  it('filters by consent and counts what was left out', () => {
    expect(consentFilter([1, 2, 3, 4, 5], (x) => x % 2 === 1)).toEqual({ kept: [1, 3, 5], leftOut: 2 });
  });
  it('drafts the analysis.run body with the output digest', () => {
    const h = digestOf(spec);
    const auth = authorizeRun({
      register: register(h, ['k1']),
      agreement: 'ibd-2026',
      spec,
      myKeyIds: ['k1'],
      now,
    });
    if (!auth.ok) throw new Error('expected ok');
    const draft = analysisRunDraft(auth.terms, auth.specHash, { sum: '123' });
    expect(draft).toEqual({
      kind: 'analysis.run',
      body: {
        agreement: 'ibd-2026',
        specHash: h,
        outputDigest: digestOf({ sum: '123' }),
        parties: ['cbs', 'cz', 'ziekenhuis'],
      },
    });
    expect(Buffer.from(draft.body.outputDigest, 'base64')).toHaveLength(32);
  });
});
