import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ORGANISATION_TYPES, type OrganisationType } from '@ketenlog/region';

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
}

export interface SystemClient {
  readonly clientId: string;
  readonly name: string;
  /** The system's public keys (JWK, ES256/ES384/RS384/EdDSA): it signs its client assertions with them. */
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  /** The SMART system scopes it may be granted, e.g. `system/*.read` or `system/*.cruds`. */
  readonly scope: string;
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
  if (doc.errors.length) {
    const e = doc.errors[0];
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
  };
}

/** Space-separated SMART system scopes (`system/<Type|*>.<cruds|read|write>`). */
const SYSTEM_SCOPES = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)( system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?))*$/;
