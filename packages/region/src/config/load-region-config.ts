// Reads and validates the region configuration YAML. Every problem is a RegionConfigError naming
// the file, the line and the field, e.g. `region.yaml:12: organisations[1].ura: must be 8 digits`.
import { readFileSync } from 'node:fs';
import {
  COSIGNATURE_V1_ALG,
  ED25519_ALG,
  STATEMENT_KINDS,
  decodeVerifierKey,
  fromBase64,
  keyIdOf,
  type StatementKind,
} from '@ketenlog/logbook';
import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';
import {
  CLIENT_ONLY_KINDS,
  CLIENT_ROLE,
  DEFAULT_BREAK_THE_GLASS_ROLES,
  DELEGATE_ROLE,
  ORGANISATION_TYPES,
  OUTSIDE_CARE_TYPES,
  RESERVED_ROLES,
  type Organisation,
  type OrganisationType,
  type Professional,
  type RegionConfig,
  type Role,
  type StatementKey,
} from './region-config.ts';

export class RegionConfigError extends Error {
  override name = 'RegionConfigError';
  readonly file: string;
  /** 1-based line in the file; undefined when the problem has no place (e.g. unreadable file). */
  readonly line: number | undefined;
  /** The field, e.g. `organisations[1].keys.statements[0].publicKey`; '' for the whole file. */
  readonly field: string;

  constructor(file: string, line: number | undefined, field: string, problem: string) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${field ? `${field}: ` : ''}${problem}`);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

export function loadRegionConfig(file: string): RegionConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new RegionConfigError(file, undefined, '', 'cannot read the region configuration file');
  }
  return parseRegionConfig(text, file);
}

type Path = readonly (string | number)[];

function fieldName(path: Path): string {
  return path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    '',
  );
}

/** Reads typed values out of the YAML document, failing with the line of the closest node. */
class Reader {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #file: string;

  constructor(doc: Document, lines: LineCounter, file: string) {
    this.#doc = doc;
    this.#lines = lines;
    this.#file = file;
  }

  /**
   * The line of the field at path: its key's line inside a mapping, its item's line inside a
   * list; for a missing field, the line of its nearest existing ancestor.
   */
  lineOf(path: Path): number | undefined {
    let node: unknown = this.#doc.contents;
    let offset = (node as { range?: [number] } | null)?.range?.[0];
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(part),
        );
        if (!pair) break;
        offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && part < node.items.length) {
        node = node.items[part];
        offset = (node as { range?: [number] }).range?.[0] ?? offset;
      } else break;
    }
    return offset === undefined ? undefined : this.#lines.linePos(offset).line;
  }

  fail(path: Path, problem: string): never {
    throw new RegionConfigError(this.#file, this.lineOf(path), fieldName(path), problem);
  }

  value(path: Path): unknown {
    // Scalars come back as their values; collections as nodes, which no scalar check accepts.
    return this.#doc.getIn(path);
  }

  has(path: Path): boolean {
    return this.#doc.hasIn(path);
  }

  /** A mapping's keys; unknown keys are refused so typos do not pass silently. */
  mapping(path: Path, allowed?: readonly string[]): string[] {
    const node = path.length === 0 ? this.#doc.contents : this.#doc.getIn(path, true);
    const top = path.length === 0;
    if (node === undefined || node === null) this.fail(path, top ? 'the file is empty' : 'is required');
    if (!isMap(node)) this.fail(path, top ? 'the top level must be a mapping' : 'must be a mapping');
    const keys = node.items.map((pair) => String((pair.key as { value?: unknown })?.value ?? pair.key));
    if (allowed) {
      const unknown = keys.find((k) => !allowed.includes(k));
      if (unknown !== undefined)
        this.fail([...path, unknown], `unknown field (expected one of ${allowed.join(', ')})`);
    }
    return keys;
  }

  sequenceLength(path: Path, min: number): number {
    const node = this.#doc.getIn(path, true);
    if (node === undefined) this.fail(path, 'is required');
    if (!isSeq(node)) this.fail(path, 'must be a list');
    if (node.items.length < min) this.fail(path, `must have at least ${min} item${min === 1 ? '' : 's'}`);
    return node.items.length;
  }

  string(path: Path, pattern?: RegExp, describe?: string): string {
    if (!this.has(path)) this.fail(path, 'is required');
    const value = this.value(path);
    if (typeof value !== 'string' || value.length === 0) this.fail(path, 'must be a non-empty string');
    if (pattern && !pattern.test(value)) this.fail(path, describe ?? `must match ${pattern}`);
    return value;
  }

  oneOf<T extends string>(path: Path, options: readonly T[]): T {
    const value = this.string(path);
    if (!(options as readonly string[]).includes(value))
      this.fail(path, `must be one of ${options.join(', ')}`);
    return value as T;
  }

  stringList(path: Path, min: number): string[] {
    const length = this.sequenceLength(path, min);
    const items = Array.from({ length }, (_, i) => this.string([...path, i]));
    const duplicate = items.findIndex((item, i) => items.indexOf(item) !== i);
    if (duplicate >= 0) this.fail([...path, duplicate], `duplicate ${JSON.stringify(items[duplicate])}`);
    return items;
  }

  integer(path: Path, min: number): number {
    if (!this.has(path)) this.fail(path, 'is required');
    const value = this.value(path);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
      this.fail(path, `must be an integer of at least ${min}`);
    return value;
  }
}

const URA = /^\d{8}$/;
const NODE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const IDENTIFIER = /^[A-Za-z0-9._:/-]{1,200}$/;
const ROLE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const BASE_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;

function readStatementKey(r: Reader, path: Path): StatementKey {
  r.mapping(path, ['keyId', 'alg', 'publicKey']);
  if (r.has([...path, 'alg'])) r.oneOf([...path, 'alg'], ['Ed25519'] as const);
  const publicKey = r.string([...path, 'publicKey']);
  const bytes = fromBase64(publicKey);
  if (!bytes || bytes.length !== 32)
    r.fail([...path, 'publicKey'], 'must be base64 of a 32-byte Ed25519 public key');
  const keyId = r.string([...path, 'keyId']);
  const expected = keyIdOf('Ed25519', bytes);
  if (keyId !== expected) r.fail([...path, 'keyId'], `does not match the public key (expected ${expected})`);
  return { keyId, alg: 'Ed25519', publicKey };
}

function readVerifierKey(r: Reader, path: Path, alg: number, name?: string): string {
  const vkey = r.string(path);
  let decoded;
  try {
    decoded = decodeVerifierKey(vkey);
  } catch (error) {
    return r.fail(path, `is not a C2SP vkey: ${(error as Error).message}`);
  }
  if (decoded.alg !== alg || decoded.publicKey.length !== 32)
    r.fail(
      path,
      `must be an Ed25519 ${alg === ED25519_ALG ? 'note (type 0x01)' : 'cosignature/v1 (type 0x04)'} vkey`,
    );
  if (name !== undefined && decoded.name !== name) r.fail(path, `key name must be the log origin ${name}`);
  return vkey;
}

function readOrganisation(r: Reader, path: Path, prefix: string): Organisation {
  r.mapping(path, ['ura', 'name', 'type', 'node', 'keys']);
  const ura = String(r.value([...path, 'ura']) ?? '');
  if (!r.has([...path, 'ura'])) r.fail([...path, 'ura'], 'is required');
  if (!URA.test(ura)) r.fail([...path, 'ura'], 'must be a URA of 8 digits (quote it to keep leading zeros)');
  const name = r.string([...path, 'name']);
  const type = r.oneOf<OrganisationType>([...path, 'type'], ORGANISATION_TYPES);
  r.mapping([...path, 'node'], ['id', 'baseUrl']);
  const id = r.string([...path, 'node', 'id'], NODE_ID, 'must be lowercase letters, digits and dashes');
  const baseUrl = r
    .string([...path, 'node', 'baseUrl'], BASE_URL, 'must be an http(s) URL')
    .replace(/\/$/, '');
  const keys = [...path, 'keys'];
  r.mapping(keys, ['log', 'cosigner', 'statements']);
  const logKey = readVerifierKey(r, [...keys, 'log'], ED25519_ALG, `${prefix}${id}`);
  const cosignerKey = readVerifierKey(r, [...keys, 'cosigner'], COSIGNATURE_V1_ALG);
  const count = r.sequenceLength([...keys, 'statements'], 1);
  const statementKeys = Array.from({ length: count }, (_, i) =>
    readStatementKey(r, [...keys, 'statements', i]),
  );
  return { ura, name, type, node: { id, baseUrl }, logKey, cosignerKey, statementKeys };
}

function readRole(r: Reader, name: string): Role {
  const path = ['roles', name];
  if (!ROLE_NAME.test(name)) r.fail(path, 'a role name is lowercase letters, digits and dashes');
  r.mapping(path, ['kinds', 'organisationTypes']);
  const kinds = r.stringList([...path, 'kinds'], 1);
  kinds.forEach((kind, i) => {
    if (!(STATEMENT_KINDS as readonly string[]).includes(kind))
      r.fail([...path, 'kinds', i], `unknown statement kind (expected one of ${STATEMENT_KINDS.join(', ')})`);
    if (CLIENT_ONLY_KINDS.includes(kind as StatementKind) && name !== CLIENT_ROLE && name !== DELEGATE_ROLE)
      r.fail([...path, 'kinds', i], `${kind} may only be authored by the client or her delegate`);
  });
  if (!r.has([...path, 'organisationTypes'])) return { name, kinds: kinds as StatementKind[] };
  const types = r.stringList([...path, 'organisationTypes'], 1);
  types.forEach((type, i) => {
    if (!(ORGANISATION_TYPES as readonly string[]).includes(type))
      r.fail([...path, 'organisationTypes', i], `must be one of ${ORGANISATION_TYPES.join(', ')}`);
  });
  return { name, kinds: kinds as StatementKind[], organisationTypes: types as OrganisationType[] };
}

/**
 * `breakTheGlass: { roles: [...] }`: the clinical roles that may use emergency access — each a
 * professional role the file defines, not one only organisations outside care have. Without it, the
 * defined ones of DEFAULT_BREAK_THE_GLASS_ROLES.
 */
function readBreakTheGlass(r: Reader, roles: ReadonlyMap<string, Role>): ReadonlySet<string> {
  if (!r.has(['breakTheGlass'])) return new Set(DEFAULT_BREAK_THE_GLASS_ROLES.filter((n) => roles.has(n)));
  r.mapping(['breakTheGlass'], ['roles']);
  const listed = r.stringList(['breakTheGlass', 'roles'], 0);
  listed.forEach((name, i) => {
    const path = ['breakTheGlass', 'roles', i];
    const role = roles.get(name);
    if (!role || (RESERVED_ROLES as readonly string[]).includes(name))
      r.fail(path, `unknown professional role ${JSON.stringify(name)}`);
    if (role.organisationTypes?.every((t) => OUTSIDE_CARE_TYPES.includes(t)))
      r.fail(path, `${name} is not a clinical role: only organisations outside care have it`);
  });
  return new Set(listed);
}

function checkUnique<T>(
  r: Reader,
  list: readonly T[],
  key: (item: T) => string,
  path: (item: T, i: number) => Path,
  what: string,
) {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) r.fail(path(item, i), `duplicate ${what} ${k}`);
    seen.add(k);
  });
}

/** Parses region YAML; `file` only names the source in errors. */
export function parseRegionConfig(text: string, file: string): RegionConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    throw new RegionConfigError(
      file,
      lines.linePos(error.pos[0]).line,
      '',
      `invalid YAML: ${error.message.split('\n')[0]}`,
    );
  }
  const r: Reader = new Reader(doc, lines, file);
  r.mapping([], ['region', 'organisations', 'witnesses', 'roles', 'breakTheGlass', 'professionals']);

  r.mapping(['region'], ['name', 'logOriginPrefix']);
  const name = r.string(['region', 'name']);
  const logOriginPrefix = r.string(
    ['region', 'logOriginPrefix'],
    /^[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*\/$/,
    'must be a schema-less URL prefix ending in /, e.g. demo.ketenlog.example/',
  );

  const orgCount = r.sequenceLength(['organisations'], 1);
  const organisations = Array.from({ length: orgCount }, (_, i) =>
    readOrganisation(r, ['organisations', i], logOriginPrefix),
  );
  checkUnique(
    r,
    organisations,
    (o) => o.ura,
    (_, i) => ['organisations', i, 'ura'],
    'URA',
  );
  checkUnique(
    r,
    organisations,
    (o) => o.node.id,
    (_, i) => ['organisations', i, 'node', 'id'],
    'node id',
  );
  const keyIds = organisations.flatMap((o, i) =>
    o.statementKeys.map((k, j) => ({ k, path: ['organisations', i, 'keys', 'statements', j, 'keyId'] })),
  );
  checkUnique(
    r,
    keyIds,
    (x) => x.k.keyId,
    (x) => x.path,
    'statement key',
  );

  r.mapping(['witnesses'], ['quorum', 'members']);
  const members = r.stringList(['witnesses', 'members'], 1);
  members.forEach((ura, i) => {
    if (!organisations.some((o) => o.ura === ura))
      r.fail(['witnesses', 'members', i], `${ura} is not a member organisation's URA`);
  });
  const quorum = r.integer(['witnesses', 'quorum'], 1);
  if (quorum > members.length)
    r.fail(['witnesses', 'quorum'], `${quorum} is larger than the ${members.length} witnesses named`);

  const roleNames = r.mapping(['roles']);
  const roles = new Map(roleNames.map((n) => [n, readRole(r, n)] as const));
  for (const reserved of RESERVED_ROLES) if (!roles.has(reserved)) r.fail(['roles', reserved], 'is required');

  const breakTheGlassRoles = readBreakTheGlass(r, roles);

  const professionals: Professional[] = [];
  const proCount = r.has(['professionals']) ? r.sequenceLength(['professionals'], 0) : 0;
  for (let i = 0; i < proCount; i++) {
    const path = ['professionals', i];
    r.mapping(path, ['id', 'name', 'organisation', 'role']);
    const id = r.string([...path, 'id'], IDENTIFIER, 'must be an identifier');
    const proName = r.string([...path, 'name']);
    const organisation = String(r.value([...path, 'organisation']) ?? '');
    const org = organisations.find((o) => o.ura === organisation);
    if (!org)
      r.fail([...path, 'organisation'], `${organisation || '(missing)'} is not a member organisation's URA`);
    const role = r.string([...path, 'role']);
    const known = roles.get(role);
    if (!known || (RESERVED_ROLES as readonly string[]).includes(role))
      r.fail([...path, 'role'], `unknown professional role ${JSON.stringify(role)}`);
    if (known.organisationTypes && !known.organisationTypes.includes(org.type))
      r.fail([...path, 'role'], `${role} is not a role at a ${org.type} organisation`);
    professionals.push({ id, name: proName, organisation, role });
  }
  checkUnique(
    r,
    professionals,
    (p) => p.id,
    (_, i) => ['professionals', i, 'id'],
    'professional id',
  );

  return {
    name,
    logOriginPrefix,
    organisations,
    witnesses: { quorum, members },
    roles,
    breakTheGlassRoles,
    professionals,
  };
}
