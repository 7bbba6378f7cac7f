// Drafts of `consent` statements (grant, objection, revocation) and of the break-the-glass
// `access` record, in exactly the shape the logbook's KIND_RULES accept. The caller signs them
// (the client's passkey, or in assisted mode the professional's key) and appends them.
import { STATEMENT_VERSION, validateStatement, type Statement, KIND_CONSENT } from '@ketenlog/logbook';
import type { OrganisationType } from '@ketenlog/region';
import { granteeOfOrganisation, granteeOfRole, granteeOfType, PURPOSES, type Purpose } from '../pdp.ts';

export type ConsentActor =
  | { readonly kind: 'organisation'; readonly ura: string }
  | { readonly kind: 'type'; readonly type: OrganisationType }
  | { readonly kind: 'role'; readonly role: string };

export interface ConsentDraftInput {
  /** The client's pseudonym. */
  readonly subject: string;
  /** Key ID of the signer (client passkey, or the professional's key in assisted mode). */
  readonly author: string;
  readonly decision: 'grant' | 'objection';
  /** Omitted: anyone. */
  readonly actor?: ConsentActor;
  /** Omitted: every category; several give one statement each. */
  readonly categories?: readonly string[];
  /** Omitted: every purpose. */
  readonly purpose?: Purpose;
  readonly now?: () => number;
}

export interface ConsentDraftError {
  readonly error: 'invalid-consent';
  readonly reason: string;
}

export type DraftResult =
  { readonly ok: true; readonly statements: Statement[] } | ({ readonly ok: false } & ConsentDraftError);

const fail = (reason: string): DraftResult => ({ ok: false, error: 'invalid-consent', reason });

export function granteeOf(actor: ConsentActor): string {
  if (actor.kind === 'organisation') return granteeOfOrganisation(actor.ura);
  if (actor.kind === 'type') return granteeOfType(actor.type);
  return granteeOfRole(actor.role);
}

function checked(statements: Statement[]): DraftResult {
  for (const s of statements) {
    const result = validateStatement(s);
    if (!result.ok) return fail(String((result as { error?: unknown }).error ?? 'invalid statement'));
  }
  return { ok: true, statements };
}

/** One `consent` statement per category (or one for all categories). */
export function consentDrafts(input: ConsentDraftInput): DraftResult {
  if (input.purpose !== undefined && !(PURPOSES as readonly string[]).includes(input.purpose)) {
    return fail(`unknown purpose ${input.purpose}`);
  }
  if (input.categories !== undefined && input.categories.length === 0) return fail('empty category list');
  const iat = Math.floor((input.now ?? Date.now)() / 1000);
  const categories: (string | undefined)[] = input.categories ? [...new Set(input.categories)] : [undefined];
  return checked(
    categories.map((category) => ({
      kind: KIND_CONSENT,
      v: STATEMENT_VERSION,
      author: input.author,
      iat,
      subject: input.subject,
      body: {
        decision: input.decision,
        ...(input.actor ? { grantee: granteeOf(input.actor) } : {}),
        ...(category ? { category } : {}),
        ...(input.purpose ? { purpose: input.purpose } : {}),
      },
    })),
  );
}

/** Revokes an earlier grant or objection, named by its statement hash (base64). */
export function revocationDraft(input: {
  readonly subject: string;
  readonly author: string;
  readonly revokes: string;
  readonly now?: () => number;
}): DraftResult {
  return checked([
    {
      kind: KIND_CONSENT,
      v: STATEMENT_VERSION,
      author: input.author,
      iat: Math.floor((input.now ?? Date.now)() / 1000),
      subject: input.subject,
      body: { decision: 'revocation', revokes: input.revokes },
    },
  ]);
}
