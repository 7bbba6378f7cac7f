import { describe, expect, it } from 'vitest';
import { isMessageKey, translator } from './i18n.ts';
import { common } from './messages/common.ts';
import { hours } from './messages/hours.ts';
import * as all from './messages/index.ts';

describe('the portal text', () => {
  it('spells every key in exactly one module, so no page overrides another', () => {
    const seen = new Map<string, string>();
    for (const [name, module] of Object.entries(all)) {
      for (const key of Object.keys(module.nl)) {
        expect(seen.get(key), `${key} in ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
  });

  it('has every Dutch text in English too, and none empty', () => {
    for (const module of Object.values(all)) {
      expect(Object.keys(module.en).sort()).toEqual(Object.keys(module.nl).sort());
      for (const text of [...Object.values(module.nl), ...Object.values(module.en)])
        expect(text.trim()).not.toBe('');
    }
  });

  it('translates a key from any module in both languages', () => {
    expect(translator('nl')('logout')).toBe(common.nl.logout);
    expect(translator('en')('logout')).toBe(common.en.logout);
    expect(isMessageKey(Object.keys(hours.nl)[0] ?? '')).toBe(true);
    expect(isMessageKey('no-such-key')).toBe(false);
  });
});
