// The `national:` section of the node configuration (addressing and localisation).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';

const BASE = 'node: kz\norganisation: { ura: "11110001", name: Kraamzorg, type: kraamzorg }\n';

describe('node configuration: national', () => {
  it('reads the directories to follow and the NVI, as the addressing and localisation sections', () => {
    const config = parseConfig(
      `${BASE}national:
  addressing:
    follow:
      - { name: lrza, url: https://lrza.example/fhir/ }
      - { name: regio, url: "http://127.0.0.1:8110/mcsd" }
  localisation:
    nvi: { url: https://nvi.example/fhir, ura: "90000901", prs: https://prs.example, clientId: ketenlog-wieg, tokenEnv: NVI_TOKEN }
`,
      'node.yaml',
    );
    expect(config.national).toEqual({
      addressing: {
        follow: [
          { name: 'lrza', url: 'https://lrza.example/fhir' },
          { name: 'regio', url: 'http://127.0.0.1:8110/mcsd' },
        ],
        intervalSeconds: 900,
      },
      localisation: {
        nvi: {
          url: 'https://nvi.example/fhir',
          ura: '90000901',
          prs: 'https://prs.example',
          clientId: 'ketenlog-wieg',
          tokenEnv: 'NVI_TOKEN',
        },
      },
    });
    expect(parseConfig(BASE, 'node.yaml').national).toBeUndefined();
  });

  it('refuses plain HTTP off loopback, duplicate names, a short interval and a bad URA, naming the field', () => {
    const bad: [string, RegExp][] = [
      [
        'addressing: { follow: [{ name: lrza, url: "http://lrza.example/fhir" }] }',
        /national\.addressing\.follow\.0\.url/,
      ],
      [
        'addressing: { follow: [{ name: a, url: "https://a.example" }, { name: a, url: "https://b.example" }] }',
        /names must be unique/,
      ],
      ['addressing: { intervalSeconds: 1 }', /national\.addressing\.intervalSeconds/],
      [
        'localisation: { nvi: { url: "https://n.example", ura: "123", prs: "https://p.example", clientId: x } }',
        /national\.localisation\.nvi\.ura/,
      ],
      ['addressing: [lrza]', /national\.addressing: must be a mapping/],
    ];
    for (const [yaml, message] of bad)
      expect(() => parseConfig(`${BASE}national:\n  ${yaml}\n`, 'node.yaml')).toThrow(message);
  });
});
