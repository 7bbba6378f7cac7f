import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ORGANISATION_TYPES, type OrganisationType } from '@ketenlog/region';
import { parseNational, type NationalConfig } from './national/national-config.ts';

export { ORGANISATION_TYPES, type OrganisationType };

export interface NodeConfig {
  node: string;
  organisation: { ura: string; name: string; type: OrganisationType };
  listen: { host: string; port: number };
  /** A SQLite file path (relative to the config file) or a postgres:// URL. */
  database: string;
  /** Where the FHIR data lives: this node's own database, or an existing FHIR R4 server. */
  fhir: { source: 'local' } | { source: 'remote'; url: string };
  /** Public base URL of /fhir when behind a proxy. */
  publicUrl?: string;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' };
  maxBodyBytes: number;
  /**
   * Membership of a region: the region file every member loads and this node's secret keys
   * (paths, relative to the config file). Without it the node runs as a lone FHIR store.
   */
  region?: { config: string; secrets: string };
  /** Serve HTTPS with this certificate chain and private key (PEM files, relative to the config file). */
  tls?: { cert: string; key: string };
  /** Patient apps (SMART App Launch, public clients with PKCE) registered at this node. */
  apps?: readonly PatientApp[];
  /**
   * The organisation's own systems (EHR, import jobs, scripts) allowed on the FHIR API through SMART
   * Backend Services: client credentials, authenticated with a JWT signed by the system's key.
   */
  systems?: readonly SystemClient[];
  /**
   * Networks whose callers reach the FHIR API without any credential. Off by default; only for a
   * deployment whose legacy systems cannot authenticate. The node warns at start.
   */
  trustedNetworks?: readonly string[];
  /**
   * The load balancers in front of this node's processes (CIDR): only a request arriving from one
   * of them has its client address taken from `X-Forwarded-For`, so login limits count per person,
   * not per load balancer. Grants no access by itself.
   */
  loadBalancers?: readonly string[];
  /**
   * The demo: demo keys, the Demo-DigiD stand-in and demo professionals whose credentials derive
   * from the public region file. Never for real data; `ketenlog start` sets it. Without it the node
   * refuses to start with any of them.
   */
  demo?: boolean;
  /** Who may log in, and how: the node's identity providers (see docs/deploy.md). */
  identity?: IdentityConfig;
  /** The Dutch generic functions beyond the region (directories, NVI, Mitz, MedMij): national/national-config.ts. */
  national?: NationalConfig;
  /**
   * A Patient whose BSN already belongs to another person: refused (the default), or held for
   * review by a professional of this organisation in one of the `reviewers` roles.
   */
  patientIdentity?: { onConflict: 'refuse' | 'review'; reviewers: readonly string[] };
}

export interface SystemClient {
  readonly clientId: string;
  readonly name: string;
  /** The system's public keys (JWK, ES256/ES384/RS384/EdDSA): it signs its client assertions with them. */
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  /** The SMART system scopes it may be granted, e.g. `system/*.read` or `system/*.cruds`. */
  readonly scope: string;
}

export type Assurance = 'low' | 'substantial' | 'high';

/** An OpenID Connect upstream this node is a relying party of (private_key_jwt client). */
export interface OidcUpstreamConfig {
  /** Short name, in URLs and the audit trail, e.g. `digid` or `keycloak`. */
  readonly id: string;
  /** What the login button says. */
  readonly label: string;
  readonly issuer: string;
  readonly clientId: string;
  /** The client's private JWK: `file:<path>` (mode 600, relative to the config file) or `env:<NAME>`. */
  readonly privateKey: string;
  readonly scope?: string;
}

/** Clients' identity check before a passkey: a DigiD broker. */
export interface DigidConfig extends OidcUpstreamConfig {
  /** The ID token claim holding the BSN. */
  readonly bsnClaim: string;
  /** The `acr` values the broker sends and the eIDAS level each stands for; others are refused. */
  readonly acr: Readonly<Record<string, Assurance>>;
  readonly minimumAssurance: Assurance;
}

/** Professionals' login through their organisation's IdP (Entra ID, Keycloak) or Dezi. */
export interface ProfessionalIdpConfig extends OidcUpstreamConfig {
  /** Which claims carry her id, her organisation's URA (absent: this node's) and her role. */
  readonly claims: { readonly id: string; readonly ura?: string; readonly role: string };
  /** The IdP's role values and the Ketenlog role each maps to; unmapped roles cannot log in. */
  readonly roles: Readonly<Record<string, string>>;
}

export interface IdentityConfig {
  readonly digid?: DigidConfig;
  readonly professionalIdps?: readonly ProfessionalIdpConfig[];
  /** The documented fallback: password + TOTP accounts in a secret file (mode 600). */
  readonly professionalAccounts?: string;
}

export interface PatientApp {
  readonly clientId: string;
  readonly name: string;
  /** Where the node may send the app's authorization codes: https, or http on loopback only. */
  readonly redirectUris: readonly string[];
}

/** A configuration problem, naming the field and (when known) the line in the file. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;

export function loadConfig(file: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the configuration file`);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): NodeConfig {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const [e] = doc.errors;
  if (e) {
    throw new ConfigError(`${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (path: string[]): string => {
    const node = doc.getIn(path, true) as { range?: [number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? '' : `:${text.slice(0, offset).split('\n').length}`;
  };
  const fail = (path: string[], message: string): never => {
    throw new ConfigError(`${file}${lineOf(path)}: ${path.join('.')}: ${message}`);
  };
  const raw = (doc.toJS() ?? {}) as Raw;
  const str = (path: string[], value: unknown, pattern?: RegExp): string => {
    if (typeof value !== 'string' || !value) return fail(path, 'must be a non-empty string');
    if (pattern && !pattern.test(value)) return fail(path, `must match ${pattern}`);
    return value;
  };
  const obj = (path: string[], value: unknown): Raw =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Raw)
      : fail(path, 'must be a mapping');

  const node = str(['node'], raw.node, /^[a-z0-9][a-z0-9-]{0,62}$/);
  const org = obj(['organisation'], raw.organisation);
  const type = str(['organisation', 'type'], org.type);
  if (!(ORGANISATION_TYPES as readonly string[]).includes(type)) {
    fail(['organisation', 'type'], `must be one of ${ORGANISATION_TYPES.join(', ')}`);
  }
  const listen = obj(['listen'], raw.listen ?? {});
  const port = listen.port ?? 8080;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    fail(['listen', 'port'], 'must be a port number (0 picks a free port)');
  }
  const database =
    raw.database === undefined ? `./data/${node}/fhir.sqlite` : str(['database'], raw.database);
  const fhirRaw = obj(['fhir'], raw.fhir ?? { source: 'local' });
  let fhir: NodeConfig['fhir'] = { source: 'local' };
  if (fhirRaw.source === 'remote') {
    const url = str(['fhir', 'url'], fhirRaw.url, /^https?:\/\//);
    fhir = { source: 'remote', url: url.replace(/\/$/, '') };
  } else if (fhirRaw.source !== 'local') {
    fail(['fhir', 'source'], 'must be "local" or "remote"');
  }
  const log = obj(['log'], raw.log ?? {});
  const level = log.level ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug'].includes(String(level)))
    fail(['log', 'level'], 'unknown level');
  let region: NodeConfig['region'];
  if (raw.region !== undefined) {
    const r = obj(['region'], raw.region);
    region = {
      config: resolve(dirname(file), str(['region', 'config'], r.config)),
      secrets: resolve(dirname(file), str(['region', 'secrets'], r.secrets)),
    };
  }
  let tls: NodeConfig['tls'];
  if (raw.tls !== undefined) {
    const t = obj(['tls'], raw.tls);
    tls = {
      cert: resolve(dirname(file), str(['tls', 'cert'], t.cert)),
      key: resolve(dirname(file), str(['tls', 'key'], t.key)),
    };
  }
  if (raw.apps !== undefined && !Array.isArray(raw.apps)) fail(['apps'], 'must be a list');
  const apps = ((raw.apps ?? []) as unknown[]).map((value, i): PatientApp => {
    const at = ['apps', String(i)];
    const app = obj(at, value);
    const uris = app.redirectUris;
    if (!Array.isArray(uris) || uris.length === 0)
      return fail([...at, 'redirectUris'], 'must be a non-empty list of URLs');
    return {
      clientId: str([...at, 'clientId'], app.clientId, /^[A-Za-z0-9._-]{1,64}$/),
      name: str([...at, 'name'], app.name),
      redirectUris: uris.map((uri, j) =>
        str(
          [...at, 'redirectUris', String(j)],
          uri,
          /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/)/,
        ),
      ),
    };
  });
  if (raw.systems !== undefined && !Array.isArray(raw.systems)) fail(['systems'], 'must be a list');
  const systems = ((raw.systems ?? []) as unknown[]).map((value, i): SystemClient => {
    const at = ['systems', String(i)];
    const system = obj(at, value);
    const jwksFile = resolve(dirname(file), str([...at, 'jwks'], system.jwks));
    let jwks: SystemClient['jwks'];
    try {
      jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as SystemClient['jwks'];
    } catch (error) {
      return fail([...at, 'jwks'], `cannot read the JWK set ${jwksFile} (${(error as Error).message})`);
    }
    if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0 || jwks.keys.some((k) => 'd' in k))
      return fail([...at, 'jwks'], 'must be a JWK set of public keys only');
    const scope = str([...at, 'scope'], system.scope ?? 'system/*.rs', SYSTEM_SCOPES);
    return {
      clientId: str([...at, 'clientId'], system.clientId, /^[A-Za-z0-9._-]{1,64}$/),
      name: str([...at, 'name'], system.name),
      jwks,
      scope,
    };
  });
  if (raw.trustedNetworks !== undefined && !Array.isArray(raw.trustedNetworks))
    fail(['trustedNetworks'], 'must be a list of networks (CIDR)');
  const trustedNetworks = ((raw.trustedNetworks ?? []) as unknown[]).map((value, i) =>
    str(['trustedNetworks', String(i)], value, /^[0-9a-fA-F:.]+\/\d{1,3}$/),
  );
  if (raw.loadBalancers !== undefined && !Array.isArray(raw.loadBalancers))
    fail(['loadBalancers'], 'must be a list of networks (CIDR)');
  const loadBalancers = ((raw.loadBalancers ?? []) as unknown[]).map((value, i) =>
    str(['loadBalancers', String(i)], value, /^[0-9a-fA-F:.]+\/\d{1,3}$/),
  );
  if (raw.demo !== undefined && typeof raw.demo !== 'boolean') fail(['demo'], 'must be true or false');
  const identity =
    raw.identity === undefined ? undefined : parseIdentity(obj(['identity'], raw.identity), file, fail);
  let patientIdentity: NodeConfig['patientIdentity'];
  if (raw.patientIdentity !== undefined) {
    const p = obj(['patientIdentity'], raw.patientIdentity);
    const onConflict = p.onConflict ?? 'refuse';
    if (onConflict !== 'refuse' && onConflict !== 'review')
      fail(['patientIdentity', 'onConflict'], 'must be refuse or review');
    if (p.reviewers !== undefined && !Array.isArray(p.reviewers))
      fail(['patientIdentity', 'reviewers'], 'must be a list of roles');
    const reviewers = ((p.reviewers ?? ['administratie']) as unknown[]).map((value, i) =>
      str(['patientIdentity', 'reviewers', String(i)], value),
    );
    patientIdentity = { onConflict: onConflict as 'refuse' | 'review', reviewers };
  }
  const maxBodyBytes = raw.maxBodyBytes ?? 16 * 1024 * 1024;
  if (typeof maxBodyBytes !== 'number' || maxBodyBytes <= 0)
    fail(['maxBodyBytes'], 'must be a positive number');
  return {
    node,
    organisation: {
      ura: str(['organisation', 'ura'], String(org.ura ?? ''), /^\d{8}$/),
      name: str(['organisation', 'name'], org.name),
      type: type as OrganisationType,
    },
    listen: { host: str(['listen', 'host'], listen.host ?? '127.0.0.1'), port: port as number },
    database: /^postgres(ql)?:\/\//.test(database) ? database : resolve(dirname(file), database),
    fhir,
    ...(raw.publicUrl ? { publicUrl: str(['publicUrl'], raw.publicUrl, /^https?:\/\//) } : {}),
    log: { level: level as NodeConfig['log']['level'] },
    maxBodyBytes: maxBodyBytes as number,
    ...(region ? { region } : {}),
    ...(tls ? { tls } : {}),
    ...(apps.length ? { apps } : {}),
    ...(systems.length ? { systems } : {}),
    ...(trustedNetworks.length ? { trustedNetworks } : {}),
    ...(loadBalancers.length ? { loadBalancers } : {}),
    ...(raw.demo === true ? { demo: true } : {}),
    ...(identity ? { identity } : {}),
    ...(patientIdentity ? { patientIdentity } : {}),
    ...(raw.national === undefined
      ? {}
      : {
          national: parseNational(obj(['national'], raw.national), {
            fail,
            str,
            obj,
            file: (path) => resolve(dirname(file), path),
          }),
        }),
  };
}

/** Space-separated SMART system scopes (`system/<Type|*>.<cruds|read|write>`). */
const SYSTEM_SCOPES =
  /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)( system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?))*$/;

const ASSURANCES: readonly Assurance[] = ['low', 'substantial', 'high'];

/** The `identity:` section; secret references stay references, `file:` paths made absolute. */
function parseIdentity(
  raw: Raw,
  file: string,
  fail: (path: string[], message: string) => never,
): IdentityConfig {
  const str = (path: string[], value: unknown, pattern?: RegExp): string =>
    typeof value === 'string' && value && (!pattern || pattern.test(value))
      ? value
      : fail(path, pattern ? `must match ${pattern}` : 'must be a non-empty string');
  const map = (path: string[], value: unknown): Raw =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Raw)
      : fail(path, 'must be a mapping');
  const secretRef = (path: string[], value: unknown): string => {
    const ref = str(path, value, /^(file|env):./);
    return ref.startsWith('file:') ? `file:${resolve(dirname(file), ref.slice(5))}` : ref;
  };
  const upstream = (path: string[], value: Raw): OidcUpstreamConfig => ({
    id: str([...path, 'id'], value.id, /^[a-z0-9][a-z0-9-]{0,31}$/),
    label: str([...path, 'label'], value.label),
    // https only; plain http on loopback for a test IdP.
    issuer: str(
      [...path, 'issuer'],
      value.issuer,
      /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$))/,
    ),
    clientId: str([...path, 'clientId'], value.clientId),
    privateKey: secretRef([...path, 'privateKey'], value.privateKey),
    ...(value.scope === undefined ? {} : { scope: str([...path, 'scope'], value.scope) }),
  });
  const identity: { -readonly [K in keyof IdentityConfig]: IdentityConfig[K] } = {};
  if (raw.digid !== undefined) {
    const d = map(['identity', 'digid'], raw.digid);
    const acr = map(['identity', 'digid', 'acr'], d.acr);
    if (Object.keys(acr).length === 0) fail(['identity', 'digid', 'acr'], 'name at least one acr value');
    for (const [value, level] of Object.entries(acr))
      if (!ASSURANCES.includes(level as Assurance))
        fail(['identity', 'digid', 'acr', value], `must be one of ${ASSURANCES.join(', ')}`);
    const minimum = d.minimumAssurance ?? 'substantial';
    if (!ASSURANCES.includes(minimum as Assurance))
      fail(['identity', 'digid', 'minimumAssurance'], `must be one of ${ASSURANCES.join(', ')}`);
    identity.digid = {
      ...upstream(['identity', 'digid'], { id: 'digid', label: 'DigiD', ...d }),
      bsnClaim: str(['identity', 'digid', 'bsnClaim'], d.bsnClaim ?? 'sub'),
      acr: acr as Record<string, Assurance>,
      minimumAssurance: minimum as Assurance,
    };
  }
  if (raw.professionalIdps !== undefined) {
    if (!Array.isArray(raw.professionalIdps)) fail(['identity', 'professionalIdps'], 'must be a list');
    identity.professionalIdps = (raw.professionalIdps as unknown[]).map((value, i) => {
      const at = ['identity', 'professionalIdps', String(i)];
      const idp = map(at, value);
      const claims = map([...at, 'claims'], idp.claims);
      const roles = map([...at, 'roles'], idp.roles);
      if (Object.keys(roles).length === 0)
        fail([...at, 'roles'], 'map at least one IdP role to a Ketenlog role');
      for (const [from, to] of Object.entries(roles)) str([...at, 'roles', from], to);
      return {
        ...upstream(at, idp),
        claims: {
          id: str([...at, 'claims', 'id'], claims.id),
          ...(claims.ura === undefined ? {} : { ura: str([...at, 'claims', 'ura'], claims.ura) }),
          role: str([...at, 'claims', 'role'], claims.role),
        },
        roles: roles as Record<string, string>,
      };
    });
    const ids = identity.professionalIdps.map((p) => p.id);
    if (new Set(ids).size !== ids.length) fail(['identity', 'professionalIdps'], 'ids must be unique');
  }
  if (raw.professionalAccounts !== undefined)
    identity.professionalAccounts = resolve(
      dirname(file),
      str(['identity', 'professionalAccounts'], raw.professionalAccounts),
    );
  return identity;
}
