import { describe, expect, it } from 'vitest';
import { dateRange, normalizeString } from './values.ts';

const utc = (iso: string): number => Date.parse(iso);

describe('dateRange', () => {
  it('gives a year the whole year', () => {
    expect(dateRange('2020')).toEqual({
      lo: utc('2020-01-01T00:00:00Z'),
      hi: utc('2020-12-31T23:59:59.999Z'),
    });
  });

  it('gives a month all its days, leap years included', () => {
    expect(dateRange('2020-02')).toEqual({
      lo: utc('2020-02-01T00:00:00Z'),
      hi: utc('2020-02-29T23:59:59.999Z'),
    });
  });

  it('gives a date the whole day', () => {
    expect(dateRange('2020-03-15')).toEqual({
      lo: utc('2020-03-15T00:00:00Z'),
      hi: utc('2020-03-15T23:59:59.999Z'),
    });
  });

  it('applies the time zone of a dateTime and covers its second', () => {
    expect(dateRange('2020-03-15T11:00:00+01:00')).toEqual({
      lo: utc('2020-03-15T10:00:00Z'),
      hi: utc('2020-03-15T10:00:00.999Z'),
    });
  });

  it('covers a minute when seconds are left out, and one millisecond for an instant', () => {
    expect(dateRange('2020-03-15T10:00Z')).toEqual({
      lo: utc('2020-03-15T10:00:00Z'),
      hi: utc('2020-03-15T10:00:59.999Z'),
    });
    const instant = utc('2020-03-15T10:00:00.123Z');
    expect(dateRange('2020-03-15T10:00:00.123Z')).toEqual({ lo: instant, hi: instant });
  });

  it('rejects what is not a date', () => {
    for (const bad of [
      '2020-13',
      '2020-02-30',
      '20',
      '2020-03-15T25:00:00Z',
      'yesterday',
      '2020-03-15T10:00:00+15:00',
    ])
      expect(dateRange(bad), bad).toBeUndefined();
  });
});

describe('normalizeString', () => {
  it('lower-cases and strips accents', () => {
    expect(normalizeString('Ëlla Çelik-Müller')).toBe('ella celik-muller');
    expect(normalizeString('JANSEN')).toBe('jansen');
  });
});
