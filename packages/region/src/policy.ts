// The region's witness rules (issue 3 item 5, DESIGN.md "The logbook"): before a node co-signs a
// member's checkpoint it judges each new entry here — a valid signature by a bound key that is
// neither rotated out nor revoked, an author entitled to the statement kind, and a statement that
// fits what the region already knows (the entry an approval cites, the agreement a run cites).
import {
  fromBase64,
  keyIdOf,
  parseEntry,
  verifySignedStatement,
  type EntryPolicy,
  type LogRef,
  type PolicyVerdict,
  type SignedStatement,
  type Statement,
  type StatementKind,
  type StatementOf,
  type WebAuthnVerify,
} from '@ketenlog/logbook';
import {
  CLIENT_ONLY_KINDS,
  CLIENT_ROLE,
  DELEGATE_ROLE,
  NODE_ROLE,
  findOrganisation,
  mayAuthor,
  organisationOfLog,
  organisationRef,
  uraOf,
  type Organisation,
  type RegionConfig,
} from './config/region-config.ts';
import { approvalOf, currentIndication } from './state/carelog.ts';
import { DELEGATION_PURPOSE, delegationInForce, findConsent } from './state/consents.ts';
import { activeKey, keyStatus, organisationOfKey, partyOfKey, type Party } from './state/keys.ts';
import { agreementStatus, applyEntry, createRegionState, type RegionState } from './state/region-state.ts';
import { agreementVersion, termsKey, termsOf } from './state/analysis.ts';

const OK: PolicyVerdict = { ok: true };
const refuse = (reason: string): PolicyVerdict => ({ ok: false, reason });

/** Kinds whose envelope may carry signatures of several parties. */
const MULTI_PARTY_KINDS: readonly string[] = ['agreement', 'analysis.run'];

interface Context {
  readonly state: RegionState;
  readonly config: RegionConfig;
  readonly statement: Statement;
  readonly envelope: SignedStatement;
  readonly author: Party;
  /** The organisation whose log holds the entry. */
  readonly logOwner: Organisation;
}

function signaturesUsable(
  state: RegionState,
  envelope: SignedStatement,
  webauthn?: WebAuthnVerify,
): PolicyVerdict {
  for (const signature of envelope.signatures) {
    const status = keyStatus(state.keys, signature.keyId);
    if (status === 'unknown') return refuse(`unknown key ${signature.keyId}`);
    if (status === 'revoked') return refuse(`key ${signature.keyId} is revoked`);
    if (status === 'rotated') {
      const next = state.keys.rotations.get(signature.keyId)?.replacedBy;
      return refuse(`key ${signature.keyId} was rotated out (replaced by ${next})`);
    }
    if (signature.alg === 'webauthn-es256' && !webauthn)
      return refuse(`no WebAuthn verifier to check the passkey signature of ${signature.keyId}`);
  }
  return OK;
}

/** The role the author acts in: a person is "client" for her own pseudonym, "delegate" otherwise. */
function actingRole(author: Party, statement: Statement): string {
  if (author.kind === 'organisation') return NODE_ROLE;
  if (author.kind === 'professional') return author.role;
  return author.role === CLIENT_ROLE && author.subject !== undefined && author.subject === statement.subject
    ? CLIENT_ROLE
    : DELEGATE_ROLE;
}

function entitled(ctx: Context): PolicyVerdict {
  const { config, statement, author, logOwner } = ctx;
  const role = actingRole(author, statement);
  if (author.kind === 'professional') {
    const known = config.roles.get(role);
    if (!known) return refuse(`role ${role} is not a role in this region`);
    if (known.organisationTypes && !known.organisationTypes.includes(author.organisation.type))
      return refuse(`role ${role} is not a role at a ${author.organisation.type} organisation`);
  }
  if (!mayAuthor(config, role, statement.kind))
    return refuse(`a ${role} may not author ${statement.kind} statements`);
  if (author.kind !== 'person' && author.organisation.ura !== logOwner.ura)
    return refuse(
      `${organisationRef(author.organisation.ura)} writes only to its own log, not to ${organisationRef(logOwner.ura)}'s`,
    );
  if (author.kind === 'person' && role === DELEGATE_ROLE) {
    const subject = statement.subject;
    if (subject === undefined) return refuse('a delegate acts only for a named client (subject)');
    if (touchesDelegation(ctx)) return refuse('only the client herself grants or revokes a delegation');
    if (!delegationInForce(ctx.state.consents, subject, author.holder, statement.kind))
      return refuse(`no delegation in force from the client to ${author.holder} for ${statement.kind}`);
  }
  return OK;
}

function touchesDelegation(ctx: Context): boolean {
  const { statement, state } = ctx;
  if (statement.kind !== 'consent') return false;
  const body = (statement as StatementOf<'consent'>).body;
  if (body.purpose === DELEGATION_PURPOSE) return true;
  if (body.revokes === undefined || statement.subject === undefined) return false;
  return findConsent(state.consents, statement.subject, body.revokes)?.scope.purpose === DELEGATION_PURPOSE;
}

function authorOrganisation(ctx: Context): Organisation | undefined {
  return ctx.author.kind === 'person' ? undefined : ctx.author.organisation;
}

function isMember(config: RegionConfig, ref: string): boolean {
  const ura = uraOf(ref);
  return ura !== undefined && findOrganisation(config, ura) !== undefined;
}

function checkIndex(ctx: Context, s: StatementOf<'index'>): PolicyVerdict {
  const own = organisationRef(ctx.logOwner.ura);
  return s.body.holder === own
    ? OK
    : refuse(`an organisation indexes only its own records (holder must be ${own})`);
}

function checkConsent(ctx: Context, s: StatementOf<'consent'>): PolicyVerdict {
  const subject = s.subject as string;
  const { body } = s;
  if (body.decision === 'revocation') {
    const revoked = body.revokes as string;
    if (!findConsent(ctx.state.consents, subject, revoked))
      return refuse(`revokes a consent ${revoked} this client never gave`);
    if (ctx.state.consents.get(subject)?.revocations.has(revoked))
      return refuse(`consent ${revoked} is already revoked`);
    return OK;
  }
  if (body.purpose === DELEGATION_PURPOSE) {
    if (body.grantee === undefined) return refuse('a delegation names its grantee');
    if (body.category !== undefined && !(CLIENT_ONLY_KINDS as readonly string[]).includes(body.category))
      return refuse(`a delegation's category is one of ${CLIENT_ONLY_KINDS.join(', ')}`);
  }
  return OK;
}

function checkIndication(ctx: Context, s: StatementOf<'carelog.indication'>): PolicyVerdict {
  const { body } = s;
  if (!isMember(ctx.config, body.provider))
    return refuse(`provider ${body.provider} is not a member organisation`);
  const current = currentIndication(ctx.state.carelog, body.indication);
  if (!current)
    return body.replaces === undefined
      ? OK
      : refuse(`re-indication of unknown indication ${body.indication}`);
  if (body.replaces === undefined)
    return refuse(`indication ${body.indication} exists; a re-indication names the version it replaces`);
  if (body.replaces !== current.hash)
    return refuse(`re-indication replaces a version of ${body.indication} that is not current`);
  if (current.subject !== s.subject)
    return refuse(`re-indication of ${body.indication} is for another client`);
  return OK;
}

function checkCareEntry(ctx: Context, s: StatementOf<'carelog.entry'>): PolicyVerdict {
  const indication = currentIndication(ctx.state.carelog, s.body.indication);
  if (!indication) return refuse(`entry for unknown indication ${s.body.indication}`);
  if (indication.subject !== s.subject)
    return refuse(`entry's client is not the client of indication ${s.body.indication}`);
  const org = authorOrganisation(ctx);
  if (!org || organisationRef(org.ura) !== indication.provider)
    return refuse(`only the indication's provider ${indication.provider} logs care for it`);
  return OK;
}

function checkApproval(ctx: Context, s: StatementOf<'carelog.approval'>): PolicyVerdict {
  const entry = ctx.state.carelog.entries.get(s.body.entry);
  if (!entry) return refuse(`approval of unknown entry ${s.body.entry}`);
  if (entry.subject !== s.subject) return refuse(`entry ${s.body.entry} is not this client's`);
  const decided = approvalOf(ctx.state.carelog, s.body.entry);
  if (decided) return refuse(`entry ${s.body.entry} is already ${decided.decision}`);
  return OK;
}

/** Every signer must act for one of the parties named. */
function signersAreParties(ctx: Context, parties: readonly string[]): PolicyVerdict {
  for (const { keyId } of ctx.envelope.signatures) {
    const org = organisationOfKey(ctx.config, ctx.state.keys, keyId);
    if (!org || !parties.includes(organisationRef(org.ura)))
      return refuse(`signer ${keyId} does not act for a party`);
  }
  return OK;
}

function checkAgreement(ctx: Context, s: StatementOf<'agreement'>): PolicyVerdict {
  const stranger = s.body.parties.find((p) => !isMember(ctx.config, p));
  if (stranger) return refuse(`party ${stranger} is not a member organisation`);
  const signers = signersAreParties(ctx, s.body.parties);
  if (!signers.ok) return signers;
  const existing = agreementVersion(ctx.state.analysis, s.body.agreement);
  if (existing && termsKey(existing.terms) !== termsKey(termsOf(s.body)))
    return refuse(`agreement ${s.body.agreement} already has other terms`);
  return OK;
}

function checkRun(ctx: Context, s: StatementOf<'analysis.run'>): PolicyVerdict {
  const status = agreementStatus(ctx.state, s.body.agreement);
  if (!status) return refuse(`run under unknown agreement ${s.body.agreement}`);
  if (!status.complete) return refuse(`agreement ${s.body.agreement} is not signed by every party`);
  if (status.terms.specHash !== s.body.specHash)
    return refuse(`run's spec hash is not the one agreed in ${s.body.agreement}`);
  const stranger = s.body.parties.find((p) => !status.terms.parties.includes(p));
  if (stranger) return refuse(`run party ${stranger} is not a party to ${s.body.agreement}`);
  const until = status.terms.validUntil;
  if (until !== undefined && s.iat >= Date.parse(`${until}T00:00:00Z`) / 1000 + 86_400)
    return refuse(`agreement ${s.body.agreement} expired on ${until}`);
  return signersAreParties(ctx, s.body.parties);
}

function checkAccess(ctx: Context, s: StatementOf<'access'>): PolicyVerdict {
  return isMember(ctx.config, s.body.organisation)
    ? OK
    : refuse(`accessing organisation ${s.body.organisation} is not a member`);
}

/** The organisation that answers for a key: its own, or for a person's key the one that bound it. */
function controllerOf(ctx: Context, keyId: string): Organisation | undefined {
  const party = partyOfKey(ctx.config, ctx.state.keys, keyId);
  if (party && party.kind !== 'person') return party.organisation;
  const boundBy = ctx.state.keys.bindings.get(keyId)?.boundBy;
  return boundBy === undefined ? undefined : organisationOfKey(ctx.config, ctx.state.keys, boundBy);
}

function checkNewKey(ctx: Context, s: StatementOf<'key'>, org: Organisation): PolicyVerdict {
  const { keyId, alg, publicKey, holder, role, organisation } = s.body;
  const bytes = fromBase64(publicKey as string);
  if (!bytes || (alg === 'Ed25519' && bytes.length !== 32))
    return refuse(`public key of ${keyId} is not a valid ${alg} key`);
  if (keyIdOf(alg, bytes) !== keyId) return refuse(`key ID ${keyId} does not match its public key`);
  if (keyStatus(ctx.state.keys, keyId) !== 'unknown') return refuse(`key ${keyId} is already known`);
  if (role === undefined || !ctx.config.roles.has(role))
    return refuse(`a key binding names a role of the region (got ${role})`);
  const own = organisationRef(org.ura);
  if (role === NODE_ROLE) return holder === own ? OK : refuse(`${own} binds node keys only for itself`);
  if (role === CLIENT_ROLE) {
    return s.subject !== undefined && holder === s.subject
      ? OK
      : refuse("a client's key is bound to her pseudonym (holder and subject)");
  }
  if (role === DELEGATE_ROLE) return OK;
  if (organisation !== own) return refuse(`${own} binds professional keys only for its own professionals`);
  const allowed = ctx.config.roles.get(role)?.organisationTypes;
  if (allowed && !allowed.includes(org.type))
    return refuse(`role ${role} is not a role at a ${org.type} organisation`);
  const listed = ctx.config.professionals.find((p) => p.id === holder);
  if (listed && (listed.organisation !== org.ura || listed.role !== role))
    return refuse(`professional ${holder} is configured as ${listed.role} at ura:${listed.organisation}`);
  return OK;
}

function checkKey(ctx: Context, s: StatementOf<'key'>): PolicyVerdict {
  const org = authorOrganisation(ctx);
  if (!org || ctx.author.kind !== 'organisation')
    return refuse("only an organisation's node binds, rotates or revokes keys");
  const { action, keyId, replaces } = s.body;
  const own = organisationRef(org.ura);
  if (action === 'revoke') {
    const status = keyStatus(ctx.state.keys, keyId);
    if (status === 'unknown') return refuse(`revokes unknown key ${keyId}`);
    if (status === 'revoked') return refuse(`key ${keyId} is already revoked`);
    const controller = controllerOf(ctx, keyId);
    return controller?.ura === org.ura
      ? OK
      : refuse(`${own} may not revoke key ${keyId} of another organisation`);
  }
  if (action === 'rotate') {
    const old = replaces as string;
    if (keyStatus(ctx.state.keys, old) !== 'active') return refuse(`rotates key ${old}, which is not active`);
    if (controllerOf(ctx, old)?.ura !== org.ura)
      return refuse(`${own} may not rotate key ${old} of another organisation`);
    const before = ctx.state.keys.bindings.get(old);
    if (before?.holder !== s.body.holder || before.role !== s.body.role)
      return refuse('a rotation keeps the holder and role of the key it replaces');
  }
  return checkNewKey(ctx, s, org);
}

/** The rules each kind adds to signature and entitlement. */
const KIND_CHECKS: {
  readonly [K in StatementKind]: (ctx: Context, statement: StatementOf<K>) => PolicyVerdict;
} = {
  index: checkIndex,
  consent: checkConsent,
  'carelog.indication': checkIndication,
  'carelog.entry': checkCareEntry,
  'carelog.approval': checkApproval,
  agreement: checkAgreement,
  'analysis.run': checkRun,
  access: checkAccess,
  key: checkKey,
};

function checkKind(ctx: Context): PolicyVerdict {
  const check = KIND_CHECKS[ctx.statement.kind] as (ctx: Context, statement: Statement) => PolicyVerdict;
  return check(ctx, ctx.statement);
}

/**
 * Judges one entry against the region's rules and the state accepted so far; pure (reads the
 * state, changes nothing). The reason names the first rule the entry breaks.
 */
export function judgeEntry(
  state: RegionState,
  log: LogRef,
  entry: Uint8Array,
  webauthn?: WebAuthnVerify,
): PolicyVerdict {
  const { config } = state;
  const parsed = parseEntry(entry);
  if (!parsed.ok) return refuse(`malformed entry: ${parsed.problem.text}`);
  const logOwner = organisationOfLog(config, log.origin);
  if (!logOwner) return refuse(`log ${log.origin} is not a member's log`);
  const usable = signaturesUsable(state, parsed.value, webauthn);
  if (!usable.ok) return usable;
  const verified = verifySignedStatement(parsed.value, (keyId) => activeKey(state.keys, keyId), webauthn);
  if (!verified.ok) return refuse(verified.problem.text);
  const envelope = verified.value;
  const { statement } = envelope;
  const author = partyOfKey(config, state.keys, statement.author);
  if (!author) return refuse(`key ${statement.author} has no role in the region`);
  if (envelope.signatures.length > 1 && !MULTI_PARTY_KINDS.includes(statement.kind))
    return refuse(`${statement.kind} statements carry only their author's signature`);
  const ctx: Context = { state, config, statement, envelope, author, logOwner };
  const entitlement = entitled(ctx);
  return entitlement.ok ? checkKind(ctx) : entitlement;
}

export class RegionPolicyError extends Error {
  override name = 'RegionPolicyError';
}

export interface RegionPolicyOptions {
  /** Verifies client passkey (WebAuthn) signatures; supplied by the identity layer. */
  readonly webauthnVerify?: WebAuthnVerify;
  /** The state to start from (e.g. `SqlRegionState.load()`), instead of an empty one. */
  readonly initial?: RegionState;
}

/** The region's EntryPolicy: judges entries, and folds accepted ones into its live state. */
export class RegionPolicy implements EntryPolicy {
  #state: RegionState;
  readonly #webauthn: WebAuthnVerify | undefined;

  constructor(config: RegionConfig, options: RegionPolicyOptions = {}) {
    this.#state = options.initial ?? createRegionState(config);
    this.#webauthn = options.webauthnVerify;
  }

  /** The live state: every accepted entry folded in. Read it; do not change it. */
  get state(): RegionState {
    return this.#state;
  }

  /** Forgets every accepted entry (to fold the logs again from storage). */
  reset(): void {
    this.#state = createRegionState(this.#state.config);
  }

  /**
   * Folds what other processes accepted into the live state, from the state in SQL (the live
   * state is then a cache of the tables, brought up to their stored positions).
   */
  async catchUp(store: { catchUp(state: RegionState): Promise<number> }): Promise<number> {
    return store.catchUp(this.#state);
  }

  check(log: LogRef, _index: number, entry: Uint8Array): PolicyVerdict {
    return judgeEntry(this.#state, log, entry, this.#webauthn);
  }

  accept(log: LogRef, index: number, entry: Uint8Array): void {
    const parsed = parseEntry(entry);
    if (!parsed.ok) throw new RegionPolicyError(`${log.origin} entry ${index}: ${parsed.problem.text}`);
    applyEntry(this.#state, log, index, parsed.value);
  }
}
