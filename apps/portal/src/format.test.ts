import { afterEach, describe, expect, it } from 'vitest';
import { ageOf, formatDate, formatDateTime, formatNumber, plural, setFormatLang, toCsv } from './format.ts';

describe('Dutch conventions', () => {
  afterEach(() => setFormatLang('nl'));

  it('writes dates, times and numbers the Dutch way, on a 24-hour clock in Dutch time', () => {
    expect(formatDate('2026-12-07')).toBe('7 december 2026');
    expect(formatDate('2026-12-07', 'short')).toBe('07-12-2026');
    expect(formatDateTime('2026-07-02T19:05:00Z')).toBe('2 juli 2026 om 21:05');
    expect(formatNumber(7.4)).toBe('7,4');
    expect(formatNumber(1234.5, 2)).toBe('1.234,50');
    expect(formatDate(undefined)).toBe('—');
  });

  it('uses the right plural', () => {
    expect(plural(1, ['soort gegevens', 'soorten gegevens'])).toBe('1 soort gegevens');
    expect(plural(2, ['soort gegevens', 'soorten gegevens'])).toBe('2 soorten gegevens');
    expect(plural(0, ['cliënt', 'cliënten'])).toBe('0 cliënten');
  });

  it('switches to English completely', () => {
    setFormatLang('en');
    expect(formatDate('2026-12-07')).toBe('7 December 2026');
    expect(formatNumber(7.4)).toBe('7.4');
  });

  it('computes an age from a birth date', () => {
    expect(ageOf('1992-03-12', new Date('2026-03-11T12:00:00Z'))).toBe(33);
    expect(ageOf('1992-03-12', new Date('2026-03-12T12:00:00Z'))).toBe(34);
    expect(ageOf(undefined)).toBeUndefined();
  });

  it('writes a CSV that Dutch Excel opens: BOM, semicolons, decimal commas, quoted text, no formulas', () => {
    const csv = toCsv([
      ['Cliënt', 'Uren'],
      ['de Vries; Maria', 3.5],
      ['=HYPERLINK("x")', 1],
    ]);
    expect(csv).toBe('\uFEFFCliënt;Uren\r\n"de Vries; Maria";3,5\r\n"\'=HYPERLINK(""x"")";1\r\n');
  });
});
