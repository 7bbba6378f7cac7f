// Mijn Zorg Log at this node (/carelog, packages/carelog/src/routes.ts): the shapes the routes
// answer with and one function per route the portal uses.
import { requestJson, type ApiResult } from './http.ts';

export type EntryStatus = 'pending' | 'approved' | 'rejected' | 'superseded';
export interface Position {
  origin: string;
  index: number;
}
export interface Entry {
  hash: string;
  at: Position;
  indication: string;
  subject: string;
  date: string;
  start: string;
  end: string;
  minutes: number;
  activities: string[];
  author: string;
  status: EntryStatus;
  reason?: string;
  supersedes?: string;
  supersededBy?: string;
  declaration?: string;
  carer?: string;
  approval?: { hash: string; at: Position; author: string };
}
export interface Budget {
  indication: { indication: string; subject: string; hours: number; days: number };
  budgetMinutes: number;
  approvedMinutes: number;
  pendingMinutes: number;
  rejectedMinutes: number;
  remainingMinutes: number;
  availableMinutes: number;
}
export interface CareFile {
  indication: string;
  subject: string;
  birthDate: string;
  carePackage: string;
  carers: string[];
}
export interface IndicationOverview {
  file?: CareFile;
  budget: Budget;
  minutes: Record<EntryStatus, number>;
  entries: Entry[];
}
export interface ReceiptedEntry {
  entry: Entry;
  entryReceipt?: string;
  approvalReceipt?: string;
}
export const PAYMENT_STATUSES = ['ingediend', 'goedgekeurd', 'afgewezen', 'betaald'] as const;
export interface Declaration {
  id: string;
  insurer: string;
  subject: string;
  indication: string;
  entries: string[];
  minutes: number;
  created: string;
  paymentStatus: (typeof PAYMENT_STATUSES)[number];
}
/** A statement to sign, as the draft routes answer (statement, its base64 hash, WebAuthn challenge). */
export interface Signable {
  statement: Record<string, unknown> & { author: string; subject: string };
  hash: string;
  challenge: string;
}
export interface Visit {
  date: string;
  start: string;
  end: string;
  activities: string[];
}

/** LIP activity codes (packages/carelog care-protocol.ts); labels live in i18n. */
export const ACTIVITIES = [
  'zorg-moeder',
  'zorg-kind',
  'voeding',
  'voorlichting',
  'observatie',
  'huishouden',
  'partusassistentie',
] as const;

const post = <T>(path: string, body: unknown): Promise<ApiResult<T>> =>
  requestJson<T>(`/carelog${path}`, { method: 'POST', body: JSON.stringify(body) });

export const carelogApi = {
  indications: (): Promise<ApiResult<{ indications: IndicationOverview[] }>> =>
    requestJson('/carelog/indications'),
  bindCarerKey: (carer: string, publicKey: string): Promise<ApiResult<{ keyId: string }>> =>
    post(`/carers/${encodeURIComponent(carer)}/keys`, { publicKey }),
  /** `supersedes`: the hash of the rejected entry this visit corrects. */
  entryDraft: (
    indication: string,
    carerKeyId: string,
    visit: Visit,
    supersedes?: string,
  ): Promise<ApiResult<Signable>> =>
    post(`/indications/${encodeURIComponent(indication)}/entry-drafts`, {
      carerKeyId,
      ...visit,
      ...(supersedes ? { supersedes } : {}),
    }),
  submitEntry: (
    envelope: unknown,
    supersedes?: string,
  ): Promise<ApiResult<{ hash: string; index: number }>> =>
    post('/entries', { envelope, ...(supersedes ? { supersedes } : {}) }),
  setPaymentStatus: (
    ura: string,
    id: string,
    status: Declaration['paymentStatus'],
  ): Promise<ApiResult<Declaration>> =>
    requestJson(`/carelog/insurers/${ura}/declarations/${id}/payment-status`, {
      method: 'PUT',
      body: JSON.stringify({ status }),
    }),
  approvalDraft: (
    entry: string,
    signerKeyId: string,
    decision: 'approved' | 'rejected',
    reason?: string,
  ): Promise<ApiResult<Signable>> =>
    post('/approval-drafts', { entry, signerKeyId, decision, ...(reason ? { reason } : {}) }),
  insurerEntries: (ura: string): Promise<ApiResult<{ entries: ReceiptedEntry[] }>> =>
    requestJson(`/carelog/insurers/${ura}/entries`),
  declarations: (ura: string): Promise<ApiResult<{ declarations: Declaration[] }>> =>
    requestJson(`/carelog/insurers/${ura}/declarations`),
  declare: (ura: string): Promise<ApiResult<{ declarations: Declaration[] }>> =>
    post(`/insurers/${ura}/declarations`, {}),
};

/** "3 u 30 m" style hours from minutes. */
export function hoursOf(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(minutes);
  return `${sign}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}`;
}
