// A client (or her delegate) signs a statement with her passkey through the node's flow
// (packages/auth passkeys routes): the node fills in author and time and asks for an assertion
// over the statement hash; the signed statement goes to the node's log, which returns where.
import { requestJson, type ApiResult } from '../api/http.ts';
import { getAssertion, type RequestOptionsJSON } from '../webauthn.ts';

export interface StatementDraft {
  kind: string;
  subject?: string;
  body: Record<string, unknown>;
}
export interface PreparedStatement {
  statement: Record<string, unknown> & { author: string; subject: string };
  options: RequestOptionsJSON;
}
export interface SignedAndLogged {
  envelope: unknown;
  receipt: { index: number; origin: string; receipt: string };
}

export const prepareStatement = (draft: StatementDraft): Promise<ApiResult<PreparedStatement>> =>
  requestJson('/auth/passkeys/statements/options', { method: 'POST', body: JSON.stringify({ draft }) });

/** The authenticator's assertion over the prepared statement, then the node signs it onto its log. */
export async function signPrepared(prepared: PreparedStatement): Promise<ApiResult<SignedAndLogged>> {
  let response;
  try {
    response = await getAssertion(prepared.options);
  } catch (error) {
    return { kind: 'error', status: 0, message: (error as Error).message };
  }
  return requestJson('/auth/passkeys/statements/sign', {
    method: 'POST',
    body: JSON.stringify({ statement: prepared.statement, response }),
  });
}

/** Signs drafts with her passkey, one after the other; stops at the first that fails. */
export async function signDrafts(drafts: readonly StatementDraft[]): Promise<ApiResult<number>> {
  for (const draft of drafts) {
    const prepared = await prepareStatement(draft);
    const signed = prepared.kind === 'ok' ? await signPrepared(prepared.value) : prepared;
    if (signed.kind !== 'ok') return signed;
  }
  return { kind: 'ok', value: drafts.length };
}
