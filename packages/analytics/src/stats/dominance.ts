/**
 * Dominance rule (1, 50) on shares: a cell is unsafe when its largest contributor holds more than
 * 50% of the cell total, i.e. when some x_i satisfies T < 2·x_i (at most one can, for x ≥ 0).
 * Returns a shared pass bit 1 − Σ_i [T < 2·x_i]; only that bit is meant to be opened.
 * Contributions and 2·T must be < 2^ℓ; use M127 for amounts (ℓ up to 84 with κ = 40).
 * The (2, 67) rule is in dominance-two.ts.
 */
import { sub } from '../mpc/field.ts';
import type { Party, Shares } from '../mpc/engine.ts';
import { lessThan } from '../mpc/compare.ts';

export async function dominanceOneFiftyOk(p: Party, contributions: Shares, ell: number): Promise<Shares> {
  const total = p.sum(contributions)[0]!;
  const totals = contributions.map(() => total);
  const doubled = p.scale(contributions, 2n);
  const over = await lessThan(p, totals, doubled, ell);
  return [sub(p.field, 1n, p.sum(over)[0]!)];
}
