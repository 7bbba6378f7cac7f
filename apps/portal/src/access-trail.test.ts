import { describe, expect, it } from 'vitest';
import type { AccessTrailItem } from './api/exchange.ts';
import { visitsOf } from './access-trail.ts';

const access = (at: string, category: string, over: Partial<AccessTrailItem> = {}): AccessTrailItem => ({
  at,
  organisation: { ura: '11110003', name: 'Ziekenhuis Maasland' },
  accessor: { id: 'pro:carla-bakker', name: 'Carla Bakker' },
  role: 'medisch-specialist',
  category,
  purpose: 'treatment',
  outcome: 'allowed',
  breakTheGlass: false,
  ...over,
});

describe('the access trail by visit', () => {
  it('makes one line of one overview (16 categories), and a new line for another person or an emergency', () => {
    const trail = [
      ...['problems', 'medication', 'allergies', 'medication', ''].map((c) =>
        access('2026-12-07T10:00:05Z', c),
      ),
      access('2026-12-07T09:58:00Z', 'encounters'),
      access('2026-12-07T09:57:00Z', 'problems', {
        breakTheGlass: true,
        reason: 'bewusteloos binnengebracht',
      }),
      access('2026-12-07T09:56:00Z', 'problems', {
        accessor: { id: 'pro:hans-vandijk', name: 'Hans van Dijk' },
      }),
      access('2026-12-06T09:00:00Z', 'problems'),
    ];
    const visits = visitsOf(trail);
    expect(visits).toHaveLength(4);
    expect(visits[0]!.categories).toEqual(['problems', 'medication', 'allergies', 'encounters']);
    expect(visits[1]).toMatchObject({ breakTheGlass: true, reason: 'bewusteloos binnengebracht' });
    expect(visits[2]!.accessor.name).toBe('Hans van Dijk');
    expect(visits[3]!.at).toBe('2026-12-06T09:00:00Z');
  });
  it('is empty for an empty trail', () => {
    expect(visitsOf([])).toEqual([]);
  });
});
