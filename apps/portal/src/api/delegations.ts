// Representatives at this node (packages/auth delegation routes and delegation invites): the
// client invites someone with a one-time code, the representative accepts it with her own passkey
// session, the client grants and signs; the representative chooses whom she acts for.
import { KIND_CARELOG_APPROVAL, KIND_CONSENT } from '@ketenlog/logbook/kinds';
import { requestJson, type ApiResult } from './http.ts';
import type { StatementDraft } from '../carelog/passkey-signing.ts';

/** What a client may let a representative do (packages/region CLIENT_ONLY_KINDS). */
export const DELEGABLE_KINDS = [KIND_CONSENT, KIND_CARELOG_APPROVAL] as const;

export interface Delegation {
  id: string;
  client: string;
  representative: string;
  kinds: string[];
  validFrom: number;
  validUntil: number;
  revokedAt?: number;
}
export interface Invite {
  id: string;
  kinds: string[];
  validUntil: number;
  expiresAt: number;
  status: 'open' | 'accepted' | 'expired';
  representative?: string;
}

const send = <T>(path: string, method: string, body?: unknown): Promise<ApiResult<T>> =>
  requestJson<T>(`/auth${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

export const delegationApi = {
  list: (): Promise<ApiResult<{ granted?: Delegation[]; held?: Delegation[] }>> =>
    send('/delegations', 'GET'),
  invites: (): Promise<ApiResult<{ invites: Invite[] }>> => send('/delegations/invites', 'GET'),
  invite: (kinds: string[], validUntil: number): Promise<ApiResult<{ id: string; code: string }>> =>
    send('/delegations/invites', 'POST', { kinds, validUntil }),
  accept: (code: string): Promise<ApiResult<{ id: string }>> =>
    send('/delegations/invites/accept', 'POST', { code }),
  removeInvite: (id: string): Promise<ApiResult<unknown>> =>
    send(`/delegations/invites/${encodeURIComponent(id)}`, 'DELETE'),
  grant: (invite: Invite): Promise<ApiResult<{ delegation: Delegation; drafts: StatementDraft[] }>> =>
    send('/delegations', 'POST', {
      representative: invite.representative,
      kinds: invite.kinds,
      validUntil: invite.validUntil,
    }),
  revoke: (id: string): Promise<ApiResult<{ drafts: StatementDraft[] }>> =>
    send(`/delegations/${encodeURIComponent(id)}`, 'DELETE'),
  actFor: (delegation: string): Promise<ApiResult<unknown>> => send('/acting-for', 'POST', { delegation }),
};
