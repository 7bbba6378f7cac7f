// The node configuration file: patient apps registered at the node.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

const BASE = 'node: kz\norganisation: { ura: "11110001", name: Kraamzorg, type: kraamzorg }\n';

describe('node configuration: patient apps', () => {
  it('registers apps with their redirect URIs', () => {
    const config = parseConfig(
      `${BASE}apps:\n  - { clientId: mijn-pgo, name: Mijn PGO, redirectUris: [https://pgo.example.nl/cb] }\n`,
      'node.yaml',
    );
    expect(config.apps).toEqual([
      { clientId: 'mijn-pgo', name: 'Mijn PGO', redirectUris: ['https://pgo.example.nl/cb'] },
    ]);
    expect(parseConfig(BASE, 'node.yaml').apps).toBeUndefined();
  });

  it('refuses plain-HTTP redirects off loopback and apps without redirects, naming line and field', () => {
    const plain = `${BASE}apps:\n  - clientId: pgo\n    name: PGO\n    redirectUris:\n      - http://pgo.example.nl/cb\n`;
    expect(() => parseConfig(plain, 'node.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(plain, 'node.yaml')).toThrow(
      /node\.yaml:7: apps\.0\.redirectUris\.0: must match/,
    );
    expect(() => parseConfig(`${BASE}apps:\n  - { clientId: pgo, name: PGO }\n`, 'node.yaml')).toThrow(
      /apps\.0\.redirectUris: must be a non-empty list/,
    );
    expect(
      parseConfig(
        `${BASE}apps: [{ clientId: dev, name: Dev, redirectUris: ["http://localhost:5173/"] }]`,
        'n.yaml',
      ).apps?.[0]?.redirectUris,
    ).toEqual(['http://localhost:5173/']);
  });
});
