// What each domain may read of the region's state (issue 18 finding 5). The fold keeps every
// register in one RegionState; a domain is handed only the registers it needs, as a type that has
// no others, so the compiler stops it reaching a register it was not given. RegionState is
// assignable to the exchange and analytics views; the carelog view is built from it (carelogView).
import { effectiveConsent } from './consents.ts';
import { insurersOf, type RegionState } from './region-state.ts';

/**
 * Exchange: the consent register (the PDP), the localisation index (who holds what), the access
 * trail (the client's NEN 7513 view), and the keys that say which organisation recorded an access.
 */
export type ExchangeStateView = Pick<RegionState, 'config' | 'keys' | 'index' | 'consents' | 'access'>;

/** Analytics: the agreements and runs, and the keys that resolve their signers to parties. */
export type AnalyticsStateView = Pick<RegionState, 'config' | 'keys' | 'analysis'>;

/** The scope of a consent a client gives an insurer (Mijn Zorg Log's: kraamzorg, for billing). */
export interface InsurerConsentScope {
  readonly category: string;
  readonly purpose: string;
}

/**
 * Mijn Zorg Log: its register, and the keys that say which carer or client signed. Of the consent
 * register and the localisation index it needs one answer only — may this insurer see a client's
 * approved hours — so it gets that question, not the registers.
 */
export interface CarelogStateView extends Pick<RegionState, 'config' | 'keys' | 'carelog'> {
  /**
   * Whether `insurer` (`ura:<URA>`) is the client's insurer — it stated on its log that it holds
   * her records (index) — and she granted it consent for `scope` (the consent register).
   */
  insurerConsented(subject: string, insurer: string, scope: InsurerConsentScope): boolean;
}

export function carelogView(state: RegionState): CarelogStateView {
  return {
    config: state.config,
    keys: state.keys,
    carelog: state.carelog,
    insurerConsented: (subject, insurer, scope) =>
      insurersOf(state, subject).includes(insurer) &&
      effectiveConsent(state.consents, subject, { grantee: insurer, ...scope }).decision === 'grant',
  };
}
