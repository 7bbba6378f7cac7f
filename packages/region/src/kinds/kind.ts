// What the region does with one statement kind, as one module per kind (kinds/<kind>.ts, listed in
// kinds/registry.ts): the rule a witness applies to it beyond signature and entitlement
// (policy.ts), its fold into the region's state (state/region-state.ts) and the lookup columns of
// its fact row in SQL (state/sql-state.ts). Its name, body and schema are on the wire, in the
// logbook (statement-kinds.ts), which validates every entry before the region sees it.
import type {
  PolicyVerdict,
  SignedStatement,
  Statement,
  StatementKind,
  StatementOf,
} from '@ketenlog/logbook';
import {
  findOrganisation,
  organisationRef,
  uraOf,
  type Organisation,
  type RegionConfig,
} from '../config/region-config.ts';
import { organisationOfKey, partyOfKey, type Party } from '../state/keys.ts';
import type { EntryPosition } from '../state/position.ts';
import type { RegionState } from '../state/region-state.ts';

/** An accepted statement's place in the fold. */
export interface Fact {
  readonly at: EntryPosition;
  /** base64 statement hash: how approvals, revocations and re-indications cite it. */
  readonly hash: string;
  /** Key IDs of the envelope's signers. */
  readonly signers: readonly string[];
}

/** What a witness rule reads: the state accepted so far and the entry it judges. */
export interface JudgeContext {
  readonly state: RegionState;
  readonly config: RegionConfig;
  readonly statement: Statement;
  readonly envelope: SignedStatement;
  readonly author: Party;
  /** The organisation whose log holds the entry. */
  readonly logOwner: Organisation;
}

/** The lookup columns k1, k2, k3 of a fact row (see sql-state.ts for what each kind puts there). */
export type LookupKeys = readonly [string | null, string | null, string | null];

export interface RegionKind<K extends StatementKind> {
  readonly kind: K;
  /** An envelope may carry the signatures of several parties, and the fold keeps the signers. */
  readonly multiParty: boolean;
  /** The witness rules read what it folds into (so a judging state must hold it). */
  readonly judged: boolean;
  /** The rule a witness applies beyond signature and entitlement; pure. */
  judge(ctx: JudgeContext, statement: StatementOf<K>): PolicyVerdict;
  /** Folds the accepted statement into its register (in place; commutative, see region-state.ts). */
  fold(state: RegionState, statement: StatementOf<K>, fact: Fact): void;
  /** The columns its SQL fact row is found by. */
  lookup(statement: StatementOf<K>, hash: string): LookupKeys;
}

export const OK: PolicyVerdict = { ok: true };
export const refuse = (reason: string): PolicyVerdict => ({ ok: false, reason });

export function authorOrganisation(ctx: JudgeContext): Organisation | undefined {
  return ctx.author.kind === 'person' ? undefined : ctx.author.organisation;
}

export function isMember(config: RegionConfig, ref: string): boolean {
  const ura = uraOf(ref);
  return ura !== undefined && findOrganisation(config, ura) !== undefined;
}

/** Every signer must act for one of the parties named. */
export function signersAreParties(ctx: JudgeContext, parties: readonly string[]): PolicyVerdict {
  for (const { keyId } of ctx.envelope.signatures) {
    const org = organisationOfKey(ctx.config, ctx.state.keys, keyId);
    if (!org || !parties.includes(organisationRef(org.ura)))
      return refuse(`signer ${keyId} does not act for a party`);
  }
  return OK;
}

/** The organisation that answers for a key: its own, or for a person's key the one that bound it. */
export function controllerOf(ctx: JudgeContext, keyId: string): Organisation | undefined {
  const party = partyOfKey(ctx.config, ctx.state.keys, keyId);
  if (party && party.kind !== 'person') return party.organisation;
  const boundBy = ctx.state.keys.bindings.get(keyId)?.boundBy;
  return boundBy === undefined ? undefined : organisationOfKey(ctx.config, ctx.state.keys, boundBy);
}

/** A lookup column from a body field: the text, or null. */
export const column = (value: unknown): string | null => (typeof value === 'string' ? value : null);
