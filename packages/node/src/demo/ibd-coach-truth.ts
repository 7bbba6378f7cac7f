// The demo population's known truth for the IBD-coach study and the insurer's claims: the seed
// writes it, tests check the computed study against it.
import type { DemoClient } from './population.ts';

/** What one GP consultation costs the insurer in the demo (euros). */
export const GP_CONSULT_EUR = 35;
export const KRAAMZORG_EUR = 49 * 58.4;

/**
 * The IBD-coach study's known truth for one demo client: app users (as the hospital records them)
 * have €300 less hospital cost and two GP visits fewer a year. The seed writes it; tests check the
 * computed study against it.
 */
export function ibdCoachTruth(
  c: DemoClient,
): { appUser: boolean; mdlEur: number; gpVisits: number } | undefined {
  if (!c.ibd) return undefined;
  const appUser = c.n % 3 !== 1;
  return {
    appUser,
    mdlEur: 1850 + (c.n % 7) * 120 - (appUser ? 300 : 0),
    gpVisits: 5 + (c.n % 4) - (appUser ? 2 : 0),
  };
}

/** What the insurer's claims for a demo client add up to: yearly cost (whole euros) and GP visits. */
export function insurerTruth(c: DemoClient): { costEur: number; gpVisits: number } {
  const ibd = ibdCoachTruth(c);
  const gpVisits = ibd?.gpVisits ?? 0;
  return {
    costEur: Math.round((c.mother ? KRAAMZORG_EUR : 0) + (ibd ? ibd.mdlEur + gpVisits * GP_CONSULT_EUR : 0)),
    gpVisits,
  };
}
