// The node configuration's `national:` section (Mitz, MedMij).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';

const BASE = 'node: kz\norganisation: { ura: "11110001", name: Kraamzorg, type: kraamzorg }\n';

describe('node configuration: national functions', () => {
  it('reads Mitz and MedMij, with the defaults', () => {
    const config = parseConfig(
      `${BASE}national:\n  mitz:\n    url: https://tst-api.mijn-mitz.nl/\n    roles: { physician-assistant: "81.000" }\n    tls: { cert: certs/mitz.crt, key: certs/mitz.key }\n  medmij: {}\n`,
      '/etc/ketenlog/node.yaml',
    );
    expect(config.national).toEqual({
      mitz: {
        url: 'https://tst-api.mijn-mitz.nl',
        cacheSeconds: 300,
        roles: { 'physician-assistant': '81.000' },
        tls: { cert: '/etc/ketenlog/certs/mitz.crt', key: '/etc/ketenlog/certs/mitz.key' },
      },
      medmij: {},
    });
    expect(parseConfig(BASE, 'node.yaml').national).toBeUndefined();
    expect(() =>
      parseConfig(`${BASE}national:\n  mitz: { url: https://m.example, tls: { cert: a.crt } }\n`, 'n.yaml'),
    ).toThrow(/national\.mitz\.tls\.key/);
  });

  it('refuses plain HTTP to Mitz off loopback, a role code that is none, and unknown MedMij settings', () => {
    expect(() => parseConfig(`${BASE}national:\n  mitz: { url: http://mitz.example }\n`, 'n.yaml')).toThrow(
      /n\.yaml:4: national\.mitz\.url: must match/,
    );
    expect(() =>
      parseConfig(
        `${BASE}national:\n  mitz: { url: https://m.example, roles: { arts: dokter } }\n`,
        'n.yaml',
      ),
    ).toThrow(/national\.mitz\.roles\.arts/);
    expect(() => parseConfig(`${BASE}national:\n  medmij: { pgos: [] }\n`, 'n.yaml')).toThrow(
      /national\.medmij\.pgos: unknown setting/,
    );
  });
});
