// The `national:` section of a node's configuration, for the national functions this node speaks
// beyond its region: Mitz (consent) and MedMij (PGOs).
//
//   national:
//     mitz:
//       url: https://tst-api.mijn-mitz.nl         # Mitz's base; the paths are Mitz's own
//       notifyEndpoint: https://node.example/national/mitz/notify   # default: this node's own
//       gatewaySystem: urn:oid:2.16.840.1.113883.2.4.6.6.1          # optional subscription extensions
//       sourceSystem: urn:oid:2.16.840.1.113883.2.4.6.6.90000017
//       cacheSeconds: 300                          # how long an answer is used; a notification ends it sooner
//       roles: { physician-assistant: '81.000' }   # UZI role codes beside the built-in ones
//       tls: { cert: mitz-client.crt, key: mitz-client.key, ca: mitz-ca.pem }  # the organisation's
//                                                  # whitelisted certificate (PEM, relative to this file)
//     medmij: {}                                 # serve the BgZ gegevensdienst to PGOs (see medmij.ts);
//                                                # the PGOs themselves are registered under `apps:`
export interface MitzConfig {
  readonly url: string;
  readonly notifyEndpoint?: string;
  readonly gatewaySystem?: string;
  readonly sourceSystem?: string;
  readonly cacheSeconds?: number;
  readonly roles?: Readonly<Record<string, string>>;
  /** Mutual TLS: PEM file paths (absolute once read). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
}

export interface NationalConfig {
  readonly mitz?: MitzConfig;
  /** MedMij: this node serves its clients' PGOs as a DVZA (the BgZ gegevensdienst). */
  readonly medmij?: Readonly<Record<string, never>>;
}

type Raw = Record<string, unknown>;

/** The configuration file's readers (config.ts): each fails with the path and line. */
export interface ConfigReaders {
  readonly fail: (path: string[], message: string) => never;
  readonly str: (path: string[], value: unknown, pattern?: RegExp) => string;
  readonly obj: (path: string[], value: unknown) => Raw;
  /** A path named in the file, made absolute (relative to the file). */
  readonly file: (path: string) => string;
}

const HTTP_URL = /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$))/;

export function parseNational(raw: Raw, { fail, str, obj: map, file }: ConfigReaders): NationalConfig {
  const tlsFiles = (at: string[], t: Raw): NonNullable<MitzConfig['tls']> => ({
    cert: file(str([...at, 'cert'], t.cert)),
    key: file(str([...at, 'key'], t.key)),
    ...(t.ca === undefined ? {} : { ca: file(str([...at, 'ca'], t.ca)) }),
  });
  const national: { mitz?: MitzConfig; medmij?: NationalConfig['medmij'] } = {};
  if (raw.mitz !== undefined) {
    const at = ['national', 'mitz'];
    const m = map(at, raw.mitz);
    const cache = m.cacheSeconds ?? 300;
    if (typeof cache !== 'number' || !Number.isInteger(cache) || cache < 0)
      fail([...at, 'cacheSeconds'], 'must be a whole number of seconds');
    const roles = m.roles === undefined ? undefined : map([...at, 'roles'], m.roles);
    for (const [role, code] of Object.entries(roles ?? {}))
      str([...at, 'roles', role], code, /^\d{2}\.\d{3}$/);
    national.mitz = {
      url: str([...at, 'url'], m.url, HTTP_URL).replace(/\/$/, ''),
      ...(m.notifyEndpoint === undefined
        ? {}
        : { notifyEndpoint: str([...at, 'notifyEndpoint'], m.notifyEndpoint, HTTP_URL) }),
      ...(m.gatewaySystem === undefined
        ? {}
        : { gatewaySystem: str([...at, 'gatewaySystem'], m.gatewaySystem, /^urn:oid:[0-9.]+$/) }),
      ...(m.sourceSystem === undefined
        ? {}
        : { sourceSystem: str([...at, 'sourceSystem'], m.sourceSystem, /^urn:oid:[0-9.]+$/) }),
      cacheSeconds: cache as number,
      ...(roles ? { roles: roles as Record<string, string> } : {}),
      ...(m.tls === undefined ? {} : { tls: tlsFiles([...at, 'tls'], map([...at, 'tls'], m.tls)) }),
    };
  }
  if (raw.medmij !== undefined) {
    const m = map(['national', 'medmij'], raw.medmij);
    for (const key of Object.keys(m)) fail(['national', 'medmij', key], 'unknown setting');
    national.medmij = {};
  }
  return national;
}
