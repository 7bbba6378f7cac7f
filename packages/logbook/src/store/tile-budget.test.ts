import { describe, expect, it } from 'vitest';
import { TILE_BYTES, TileBudget } from './tile-budget.ts';

const tile = (n: number): Uint8Array[] => [new Uint8Array([n])];

describe('TileBudget', () => {
  it('holds the tiles of all its logs within one byte budget, the least recently used going first', () => {
    const budget = new TileBudget(3 * TILE_BYTES);
    const own = budget.register();
    const mirror = budget.register();
    budget.set(own, 0, tile(1));
    budget.set(mirror, 0, tile(2));
    budget.set(own, 1, tile(3));
    expect(budget.get(own, 0)).toEqual(tile(1));
    // A fourth tile, of either log, evicts the least recently used: the mirror's tile 0.
    budget.set(mirror, 7, tile(4));
    expect(budget.get(mirror, 0)).toBeUndefined();
    expect([budget.get(own, 0), budget.get(own, 1), budget.get(mirror, 7)]).toEqual([
      tile(1),
      tile(3),
      tile(4),
    ]);
    expect(budget.bytes).toBe(3 * TILE_BYTES);
  });

  it('never holds more than its budget, however many logs fill it', () => {
    const budget = new TileBudget(100 * TILE_BYTES + 1);
    const logs = Array.from({ length: 10 }, () => budget.register());
    for (const log of logs) for (let t = 0; t < 4096; t++) budget.set(log, t, tile(t));
    expect(budget.bytes).toBe(100 * TILE_BYTES);
    expect(budget.get(logs[9]!, 4095)).toEqual(tile(4095));
    expect(budget.get(logs[0]!, 4095)).toBeUndefined();
  });

  it('holds nothing with a budget smaller than a tile', () => {
    const budget = new TileBudget(0);
    budget.set(budget.register(), 0, tile(1));
    expect(budget.bytes).toBe(0);
  });
});
