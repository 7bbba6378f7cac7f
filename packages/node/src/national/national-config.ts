// The `national:` section of the node configuration: how this node takes part in the Dutch generic
// functions beyond what every member does anyway (serve its region's mCSD directory and an NVI):
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
}

type Raw = Record<string, unknown>;
type Fail = (path: string[], message: string) => never;

const URL_PATTERN = /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$))/;

/** Parses `national:`; unknown keys are left for the other national functions' parsers. */
export function parseNational(raw: Raw, fail: Fail): NationalConfig {
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
        url: str([...at, 'url'], d.url, URL_PATTERN, 'an https URL (http on loopback only)').replace(
          /\/$/,
          '',
        ),
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
          url: str([...at, 'url'], n.url, URL_PATTERN, 'an https URL (http on loopback only)').replace(
            /\/$/,
            '',
          ),
          ura: str([...at, 'ura'], String(n.ura ?? ''), /^\d{8}$/, 'a URA (8 digits)'),
          prs: str([...at, 'prs'], n.prs, URL_PATTERN, 'an https URL (http on loopback only)').replace(
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
