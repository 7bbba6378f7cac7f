// The region's witness rules (issue 3 item 5, DESIGN.md "The logbook"): before a node co-signs a
// member's checkpoint it judges each new entry here — a valid signature by a bound key that is
// neither rotated out nor revoked, an author entitled to the statement kind, and then the rule of
// the statement's kind (kinds/<kind>.ts): that it fits what the region already knows (the entry an
// approval cites, the agreement a run cites).
import {
  parseEntry,
  verifySignedStatement,
  type EntryPolicy,
  type LogRef,
  type PolicyVerdict,
  type SignedStatement,
  type Statement,
  type WebAuthnVerify,
} from '@ketenlog/logbook';
import {
  CLIENT_ROLE,
  DELEGATE_ROLE,
  NODE_ROLE,
  mayAuthor,
  organisationOfLog,
  organisationRef,
  type RegionConfig,
} from './config/region-config.ts';
import { touchesDelegation } from './kinds/consent.ts';
import { OK, refuse, type JudgeContext } from './kinds/kind.ts';
import { regionKind } from './kinds/registry.ts';
import { delegationInForce } from './state/consents.ts';
import { activeKey, keyStatus, partyOfKey, type Party } from './state/keys.ts';
import { applyEntry, createRegionState, type RegionState } from './state/region-state.ts';

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

function entitled(ctx: JudgeContext): PolicyVerdict {
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
    if (touchesDelegation(ctx.state, statement))
      return refuse('only the client herself grants or revokes a delegation');
    if (!delegationInForce(ctx.state.consents, subject, author.holder, statement.kind))
      return refuse(`no delegation in force from the client to ${author.holder} for ${statement.kind}`);
  }
  return OK;
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
  const kind = regionKind(statement.kind);
  if (envelope.signatures.length > 1 && !kind.multiParty)
    return refuse(`${statement.kind} statements carry only their author's signature`);
  const ctx: JudgeContext = { state, config, statement, envelope, author, logOwner };
  const entitlement = entitled(ctx);
  return entitlement.ok ? kind.judge(ctx, statement) : entitlement;
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
