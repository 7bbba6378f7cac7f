import { KIND_CONSENT, STATEMENT_VERSION } from '@ketenlog/logbook';
import { describe, expect, it } from 'vitest';
import { applyConsentStatement } from '../kinds/consent.ts';
import { MARIA, T0, regionHistory, testRegion } from '../testing.ts';
import { createRegionState, foldLogs } from './region-state.ts';
import {
  carelogView,
  type AnalyticsStateView,
  type CarelogStateView,
  type ExchangeStateView,
} from './views.ts';

const region = testRegion();
const { kraamzorg: kz, verzekeraar: zv } = region;
const BILLING = { category: 'kraamzorg', purpose: 'billing' };

function grant(state: ReturnType<typeof createRegionState>, grantee: string, at: number): void {
  applyConsentStatement(
    state.consents,
    {
      kind: KIND_CONSENT,
      v: STATEMENT_VERSION,
      author: 'maria-key',
      iat: T0 + at,
      subject: MARIA,
      body: { decision: 'grant', grantee, ...BILLING },
    },
    `grant-${at}`,
    { iat: T0 + at, origin: 'log', index: at },
  );
}

describe("a domain's view of the region state", () => {
  it('lets Mijn Zorg Log ask whether an insurer may see her hours: her insurer, with her consent', () => {
    const state = foldLogs(region.config, regionHistory(region).logs.logs());
    const view = carelogView(state);
    // The insurer indexed her records, but she gave it no billing consent yet.
    expect(view.insurerConsented(MARIA, zv.ref, BILLING)).toBe(false);
    grant(state, zv.ref, 10_000);
    expect(view.insurerConsented(MARIA, zv.ref, BILLING)).toBe(true);
    expect(view.insurerConsented(MARIA, zv.ref, { category: 'kraamzorg', purpose: 'research' })).toBe(false);
    // Consent to an organisation that is not her insurer does not make it one.
    grant(state, kz.ref, 10_001);
    expect(view.insurerConsented(MARIA, kz.ref, BILLING)).toBe(false);
  });

  it('hands each domain only its registers (the compiler refuses the others)', () => {
    const state = createRegionState(region.config);
    const carelog: CarelogStateView = carelogView(state);
    const exchange: ExchangeStateView = state;
    const analytics: AnalyticsStateView = state;
    // @ts-expect-error Mijn Zorg Log is not given the consent register
    expect(carelog.consents).toBeUndefined();
    // @ts-expect-error nor the localisation index
    expect(carelog.index).toBeUndefined();
    // @ts-expect-error exchange is not given Mijn Zorg Log
    void exchange.carelog;
    // @ts-expect-error analytics is not given the consent register
    void analytics.consents;
    expect(Object.keys(carelog).sort()).toEqual(['carelog', 'config', 'insurerConsented', 'keys']);
  });
});
