// The `national:` section of the node configuration: how this node takes part in the Dutch generic
// functions beyond its region (every member serves its region's mCSD directory and an NVI anyway).
//
//   national:
//     addressing:
//       follow:                         # upstream mCSD directories, in this order
//         - { name: lrza, url: https://lrza.example/fhir }
//         - { name: regio, url: https://rso.example/mcsd }
//       intervalSeconds: 900            # about 15 minutes, as the guide advises
//     localisation:
//       nvi:                            # an NVI to register this node's holdings at and to ask
//         url: https://nvi.example/fhir
//         ura: "90000901"               # the NVI's URA: pseudonyms are derived for it
//         prs: https://prs.example      # the national pseudonymisation service
//         clientId: ketenlog-wieg       # this node's client id at the NVI
//         tokenEnv: NVI_TOKEN           # env variable with the bearer token for NVI and PRS
//
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
  readonly addressing?: {
    readonly follow: readonly { readonly name: string; readonly url: string }[];
    readonly intervalSeconds: number;
  };
  readonly localisation?: {
    readonly nvi?: {
      readonly url: string;
      readonly ura: string;
      readonly prs: string;
      readonly clientId: string;
      readonly tokenEnv?: string;
    };
  };
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

export function parseNational(raw: Raw, readers: ConfigReaders): NationalConfig {
  return { ...parseDirectoryAndIndex(raw, readers.fail), ...parseConsentAndPgo(raw, readers) };
}

/** `national.mitz` and `national.medmij`. */
function parseConsentAndPgo(raw: Raw, { fail, str, obj: map, file }: ConfigReaders): NationalConfig {
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

/** `national.addressing` and `national.localisation`. */
function parseDirectoryAndIndex(raw: Raw, fail: ConfigReaders['fail']): NationalConfig {
  const map = (path: string[], value: unknown): Raw =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Raw)
      : fail(path, 'must be a mapping');
  const str = (path: string[], value: unknown, pattern: RegExp, what: string): string =>
    typeof value === 'string' && pattern.test(value) ? value : fail(path, `must be ${what}`);
  let addressing: NationalConfig['addressing'];
  if (raw.addressing !== undefined) {
    const a = map(['national', 'addressing'], raw.addressing);
    if (a.follow !== undefined && !Array.isArray(a.follow))
      fail(['national', 'addressing', 'follow'], 'must be a list of { name, url }');
    const follow = ((a.follow ?? []) as unknown[]).map((value, i) => {
      const at = ['national', 'addressing', 'follow', String(i)];
      const d = map(at, value);
      return {
        name: str([...at, 'name'], d.name, /^[a-z0-9][a-z0-9-]{0,31}$/, 'a short name (a-z, 0-9, -)'),
        url: str([...at, 'url'], d.url, HTTP_URL, 'an https URL (http on loopback only)').replace(/\/$/, ''),
      };
    });
    if (new Set(follow.map((d) => d.name)).size !== follow.length)
      fail(['national', 'addressing', 'follow'], 'names must be unique');
    const interval = a.intervalSeconds ?? 900;
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 10)
      fail(['national', 'addressing', 'intervalSeconds'], 'must be a whole number of seconds, at least 10');
    addressing = { follow, intervalSeconds: interval as number };
  }
  let localisation: NationalConfig['localisation'];
  if (raw.localisation !== undefined) {
    const l = map(['national', 'localisation'], raw.localisation);
    if (l.nvi !== undefined) {
      const at = ['national', 'localisation', 'nvi'];
      const n = map(at, l.nvi);
      localisation = {
        nvi: {
          url: str([...at, 'url'], n.url, HTTP_URL, 'an https URL (http on loopback only)').replace(
            /\/$/,
            '',
          ),
          ura: str([...at, 'ura'], String(n.ura ?? ''), /^\d{8}$/, 'a URA (8 digits)'),
          prs: str([...at, 'prs'], n.prs, HTTP_URL, 'an https URL (http on loopback only)').replace(
            /\/$/,
            '',
          ),
          clientId: str([...at, 'clientId'], n.clientId, /^[A-Za-z0-9._-]{1,64}$/, 'a client id'),
          ...(n.tokenEnv === undefined
            ? {}
            : {
                tokenEnv: str(
                  [...at, 'tokenEnv'],
                  n.tokenEnv,
                  /^[A-Z_][A-Z0-9_]*$/,
                  'an environment variable name',
                ),
              }),
        },
      };
    } else localisation = {};
  }
  return { ...(addressing ? { addressing } : {}), ...(localisation ? { localisation } : {}) };
}
