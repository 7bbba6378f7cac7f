// The statement kinds on the wire (DESIGN.md "Statement kinds"): per kind its name — spelled here
// and nowhere else; everyone imports the constant — the body it carries, and the schema
// validateStatement checks it against. Browser-safe (the portal drafts and verifies statements).
// (`as const`: the constants keep their literal type also as a property of an object literal.)
// What the region does with a kind (who may author it, the rule a witness applies, its fold into
// the region's state and its rows in SQL) is in packages/region/src/kinds/<kind>.ts.
import type { SignatureAlg } from './statement.ts';
import {
  bool,
  date,
  hash,
  identifier,
  integerIn,
  listOf,
  oneOf,
  opt,
  req,
  text,
  time,
  type Shape,
} from './statement-fields.ts';
import type { Json } from './statement.ts';

type Hash64 = string;
type Body = { readonly [key: string]: Json };

// Bodies are type aliases, not interfaces: an object type alias is assignable to the statement's
// `{ [key: string]: Json }` body, an interface is not.

/** A kind's schema: whether it names a client (subject), its body's fields, and cross-field checks. */
export interface KindSchema {
  readonly subject: 'required' | 'forbidden' | 'optional';
  readonly shape: Shape;
  /** Checks across fields, after the shape holds. */
  readonly cross?: (body: Body) => string | undefined;
}

// --- index: organisation X holds category Y for pseudonym Z; deliberately no dates ---

export const KIND_INDEX = 'index' as const;
export type IndexBody = {
  holder: string;
  category: string;
};
const INDEX_SCHEMA: KindSchema = {
  subject: 'required',
  shape: { holder: req(identifier), category: req(identifier) },
};

// --- consent: a client's grant, objection or revocation (also a delegation) ---

export const KIND_CONSENT = 'consent' as const;
export type ConsentBody = {
  decision: 'grant' | 'objection' | 'revocation';
  grantee?: string;
  category?: string;
  purpose?: string;
  /** Hash of the consent statement a revocation revokes. */
  revokes?: Hash64;
};
const CONSENT_SCHEMA: KindSchema = {
  subject: 'required',
  shape: {
    decision: req(oneOf('grant', 'objection', 'revocation')),
    grantee: opt(identifier),
    category: opt(identifier),
    purpose: opt(identifier),
    revokes: opt(hash),
  },
  cross: (b) =>
    b.decision === 'revocation' && b.revokes === undefined
      ? 'a revocation names the consent it revokes (body.revokes)'
      : b.decision !== 'revocation' && b.revokes !== undefined
        ? 'only a revocation may name body.revokes'
        : undefined,
};

// --- carelog.indication: Landelijk Indicatieprotocol Kraamzorg, 24 to 80 hours ---

export const KIND_CARELOG_INDICATION = 'carelog.indication' as const;
export type CarelogIndicationBody = {
  indication: string;
  provider: string;
  hours: number;
  days: number;
  replaces?: Hash64;
};
const CARELOG_INDICATION_SCHEMA: KindSchema = {
  subject: 'required',
  shape: {
    indication: req(identifier),
    provider: req(identifier),
    hours: req(integerIn(24, 80)),
    days: req(integerIn(1, 10)),
    replaces: opt(hash),
  },
};

// --- carelog.entry: a carer's visit ---

export const KIND_CARELOG_ENTRY = 'carelog.entry' as const;
export type CarelogEntryBody = {
  indication: string;
  date: string;
  start: string;
  end: string;
  activities: string[];
};
const CARELOG_ENTRY_SCHEMA: KindSchema = {
  subject: 'required',
  shape: {
    indication: req(identifier),
    date: req(date),
    start: req(time),
    end: req(time),
    activities: req(listOf(identifier, 1)),
  },
  cross: (b) => ((b.start as string) < (b.end as string) ? undefined : 'body.end must be after body.start'),
};

// --- carelog.approval: the client's decision on an entry ---

export const KIND_CARELOG_APPROVAL = 'carelog.approval' as const;
export type CarelogApprovalBody = {
  entry: Hash64;
  decision: 'approved' | 'rejected';
  reason?: string;
};
const CARELOG_APPROVAL_SCHEMA: KindSchema = {
  subject: 'required',
  shape: { entry: req(hash), decision: req(oneOf('approved', 'rejected')), reason: opt(text) },
  cross: (b) =>
    b.decision === 'rejected' && b.reason === undefined ? 'a rejection gives body.reason' : undefined,
};

// --- agreement: an analysis agreement, signed by its parties ---

export const KIND_AGREEMENT = 'agreement' as const;
export type AgreementBody = {
  agreement: string;
  parties: string[];
  purpose: string;
  specHash: Hash64;
  validUntil?: string;
};
const AGREEMENT_SCHEMA: KindSchema = {
  subject: 'forbidden',
  shape: {
    agreement: req(identifier),
    parties: req(listOf(identifier, 2)),
    purpose: req(text),
    specHash: req(hash),
    validUntil: opt(date),
  },
};

// --- analysis.run: a run under an agreement, with the digest of its output ---

export const KIND_ANALYSIS_RUN = 'analysis.run' as const;
export type AnalysisRunBody = {
  agreement: string;
  specHash: Hash64;
  outputDigest: Hash64;
  parties: string[];
};
const ANALYSIS_RUN_SCHEMA: KindSchema = {
  subject: 'forbidden',
  shape: {
    agreement: req(identifier),
    specHash: req(hash),
    outputDigest: req(hash),
    parties: req(listOf(identifier, 2)),
  },
};

// --- access: NEN 7513, who read which category of whose data, for which purpose ---

export const KIND_ACCESS = 'access' as const;
export type AccessBody = {
  accessor: string;
  organisation: string;
  role: string;
  category: string;
  purpose: string;
  /** The holder's decision; absent in statements written before it existed (see exchange). */
  outcome?: 'permit' | 'deny';
  breakTheGlass?: boolean;
  /** Free text; a break-the-glass reason is no longer written here (see reasonCommitment). */
  reason?: string;
  /** Break-the-glass: SHA-256 of a salt and the reason, both kept by the holder (base64). */
  reasonCommitment?: Hash64;
};
const ACCESS_SCHEMA: KindSchema = {
  subject: 'required',
  shape: {
    accessor: req(identifier),
    organisation: req(identifier),
    role: req(identifier),
    category: req(identifier),
    purpose: req(identifier),
    outcome: opt(oneOf('permit', 'deny')),
    breakTheGlass: opt(bool),
    reason: opt(text),
    reasonCommitment: opt(hash),
  },
  cross: (b) =>
    b.breakTheGlass === true && b.reason === undefined && b.reasonCommitment === undefined
      ? 'break-the-glass needs body.reasonCommitment'
      : undefined,
};

// --- key: binding, rotating or revoking a signing key ---

export const KIND_KEY = 'key' as const;
export type KeyBody = {
  action: 'bind' | 'rotate' | 'revoke';
  keyId: string;
  alg: SignatureAlg;
  publicKey?: string;
  holder: string;
  organisation?: string;
  role?: string;
  replaces?: string;
  /** Why a key is revoked (RFC 5280 §5.3.1 in brief); never free text on a public log. */
  reason?: 'compromised' | 'superseded' | 'retired';
};
const KEY_SCHEMA: KindSchema = {
  subject: 'optional',
  shape: {
    action: req(oneOf('bind', 'rotate', 'revoke')),
    keyId: req(identifier),
    alg: req(oneOf('Ed25519', 'webauthn-es256')),
    publicKey: opt(text),
    holder: req(identifier),
    organisation: opt(identifier),
    role: opt(identifier),
    replaces: opt(identifier),
    reason: opt(oneOf('compromised', 'superseded', 'retired')),
  },
  cross: (b) =>
    b.action !== 'revoke' && b.publicKey === undefined
      ? 'binding or rotating a key needs body.publicKey'
      : b.action !== 'revoke' && b.reason !== undefined
        ? 'only a revocation gives a reason'
        : b.action === 'rotate' && b.replaces === undefined
          ? 'a rotation names the key it replaces (body.replaces)'
          : undefined,
};

// --- the list ---

export const STATEMENT_KINDS = [
  KIND_INDEX,
  KIND_CONSENT,
  KIND_CARELOG_INDICATION,
  KIND_CARELOG_ENTRY,
  KIND_CARELOG_APPROVAL,
  KIND_AGREEMENT,
  KIND_ANALYSIS_RUN,
  KIND_ACCESS,
  KIND_KEY,
] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** The body of each kind, as KIND_RULES checks it (identifiers, base64 hashes, no content). */
export interface StatementBodies {
  [KIND_INDEX]: IndexBody;
  [KIND_CONSENT]: ConsentBody;
  [KIND_CARELOG_INDICATION]: CarelogIndicationBody;
  [KIND_CARELOG_ENTRY]: CarelogEntryBody;
  [KIND_CARELOG_APPROVAL]: CarelogApprovalBody;
  [KIND_AGREEMENT]: AgreementBody;
  [KIND_ANALYSIS_RUN]: AnalysisRunBody;
  [KIND_ACCESS]: AccessBody;
  [KIND_KEY]: KeyBody;
}

/** One schema per statement kind (DESIGN.md "Statement kinds"). */
export const KIND_RULES: Readonly<Record<StatementKind, KindSchema>> = {
  [KIND_INDEX]: INDEX_SCHEMA,
  [KIND_CONSENT]: CONSENT_SCHEMA,
  [KIND_CARELOG_INDICATION]: CARELOG_INDICATION_SCHEMA,
  [KIND_CARELOG_ENTRY]: CARELOG_ENTRY_SCHEMA,
  [KIND_CARELOG_APPROVAL]: CARELOG_APPROVAL_SCHEMA,
  [KIND_AGREEMENT]: AGREEMENT_SCHEMA,
  [KIND_ANALYSIS_RUN]: ANALYSIS_RUN_SCHEMA,
  [KIND_ACCESS]: ACCESS_SCHEMA,
  [KIND_KEY]: KEY_SCHEMA,
};
