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

describe('node configuration: load balancers', () => {
  it('names the load balancers whose X-Forwarded-For counts, as networks only', () => {
    expect(parseConfig(BASE, 'node.yaml').loadBalancers).toBeUndefined();
    expect(
      parseConfig(`${BASE}loadBalancers: [10.0.0.0/24, "::1/128"]\n`, 'node.yaml').loadBalancers,
    ).toEqual(['10.0.0.0/24', '::1/128']);
    expect(() => parseConfig(`${BASE}loadBalancers: [haproxy.local]\n`, 'node.yaml')).toThrow(
      /loadBalancers\.0: must match/,
    );
    expect(() => parseConfig(`${BASE}loadBalancers: 10.0.0.1/32\n`, 'node.yaml')).toThrow(
      /loadBalancers: must be a list/,
    );
  });
});

describe('node configuration: demo mode and identity providers', () => {
  it('refuses a BSN conflict unless patientIdentity says review, and names a wrong setting', () => {
    expect(parseConfig(BASE, 'node.yaml').patientIdentity).toBeUndefined();
    expect(
      parseConfig(`${BASE}patientIdentity: { onConflict: review }\n`, 'node.yaml').patientIdentity,
    ).toEqual({
      onConflict: 'review',
      reviewers: ['administratie'],
    });
    expect(() => parseConfig(`${BASE}patientIdentity: { onConflict: merge }\n`, 'node.yaml')).toThrow(
      /node\.yaml:3: patientIdentity\.onConflict: must be refuse or review/,
    );
  });

  it('is not a demo unless it says demo: true', () => {
    expect(parseConfig(BASE, '/etc/ketenlog/node.yaml').demo).toBeUndefined();
    expect(parseConfig(`${BASE}demo: true\n`, '/etc/ketenlog/node.yaml').demo).toBe(true);
    expect(() => parseConfig(`${BASE}demo: yes please\n`, 'node.yaml')).toThrow(
      /demo: must be true or false/,
    );
  });

  it('reads a DigiD broker, organisation IdPs and the accounts file, secrets only by reference', () => {
    const config = parseConfig(
      `${BASE}identity:
  digid:
    issuer: https://broker.example.nl
    clientId: kz-node
    privateKey: file:keys/digid.jwk
    bsnClaim: urn:nl:bsn
    acr: { "http://eidas.europa.eu/LoA/substantial": substantial, "http://eidas.europa.eu/LoA/high": high }
  professionalIdps:
    - id: keycloak
      label: Kraamzorg De Wieg
      issuer: https://login.dewieg.nl/realms/zorg
      clientId: ketenlog
      privateKey: env:KETENLOG_IDP_KEY
      claims: { id: preferred_username, role: roles }
      roles: { kraamverzorgende: kraamverzorgende }
  professionalAccounts: secrets/professionals.json
`,
      '/etc/ketenlog/node.yaml',
    );
    expect(config.identity?.digid).toMatchObject({
      id: 'digid',
      label: 'DigiD',
      privateKey: 'file:/etc/ketenlog/keys/digid.jwk',
      bsnClaim: 'urn:nl:bsn',
      minimumAssurance: 'substantial',
    });
    expect(config.identity?.professionalIdps?.[0]).toMatchObject({
      privateKey: 'env:KETENLOG_IDP_KEY',
      claims: { id: 'preferred_username', role: 'roles' },
    });
    expect(config.identity?.professionalAccounts).toBe('/etc/ketenlog/secrets/professionals.json');
  });

  it('refuses an inline key, a plain-HTTP issuer off loopback, an unknown assurance and an empty role map', () => {
    const digid = (fields: string, issuer = 'https://b.example.nl') =>
      `${BASE}identity:\n  digid: { issuer: ${issuer}, clientId: c, acr: { x: high }, ${fields} }\n`;
    expect(() => parseConfig(digid('privateKey: "{\\"kty\\":\\"EC\\"}"'), 'n.yaml')).toThrow(
      /identity\.digid\.privateKey: must match/,
    );
    expect(() => parseConfig(digid('privateKey: env:K', 'http://b.example.nl'), 'n.yaml')).toThrow(
      /identity\.digid\.issuer/,
    );
    expect(() => parseConfig(digid('privateKey: env:K, minimumAssurance: medium'), 'n.yaml')).toThrow(
      /minimumAssurance: must be one of low, substantial, high/,
    );
    expect(() =>
      parseConfig(
        `${BASE}identity:\n  professionalIdps:\n    - { id: e, label: E, issuer: https://e.example, clientId: c, privateKey: env:K, claims: { id: oid, role: roles }, roles: {} }\n`,
        'n.yaml',
      ),
    ).toThrow(/roles: map at least one IdP role/);
  });
});
