// The research routes at this node (packages/analytics/src/run/read-routes.ts, portal-routes.ts):
// research agreements this organisation is a party to, the runs it took part in; an assessor's
// key, her agreement drafts and signatures, and an analyst's run.
import { requestJson, type ApiResult } from './http.ts';

export interface Agreement {
  id: string;
  purpose: string;
  parties: string[];
  specHash: string;
  validUntil?: string;
  signedBy: string[];
  complete: boolean;
  valid: boolean;
  /** The study its spec hash belongs to, when the node knows it. */
  study?: string;
}
export interface Agreements {
  agreements: Agreement[];
  /** This organisation (`ura:…`) and what the session's role may do here. */
  you: { organisation: string; maySign: boolean; mayRun: boolean };
  /** The region's study this organisation can agree to, with its parties. */
  study?: { id: string; parties: string[] };
}
/** How far a run the portal started has come. */
export type RunPhase = 'preparing' | 'computing' | 'signing';
export type Cell =
  | { cell: string; suppressed: true }
  | { cell: string; suppressed: false; count: number; meanCostEur: number; meanGpVisits: number };
/** OLS coefficient of app use and its standard error, adjusted for income group. */
export interface Estimate {
  coefficient: number;
  standardError: number;
}
export interface Run {
  id: string;
  agreement: string;
  coordinator: string;
  startedAt: string;
  finishedAt?: string;
  /** computed: output here, not (yet) stated on the logbook; released: stated, signed by all. */
  status: 'running' | 'computed' | 'released' | 'failed';
  phase?: RunPhase;
  recordsLeftOut: Record<string, number>;
  output?: {
    cohortSize?: number;
    cells?: Cell[];
    effect?: { costEur: Estimate; gpVisits: Estimate; n: number };
  };
  error?: string;
  statement?: { log: string; index: number };
}

const post = <T>(path: string, body: unknown): Promise<ApiResult<T>> =>
  requestJson<T>(path, { method: 'POST', body: JSON.stringify(body) });

export const analyticsApi = {
  agreements: (): Promise<ApiResult<Agreements>> => requestJson('/analytics/agreements'),
  runs: (): Promise<ApiResult<{ runs: Run[] }>> => requestJson('/analytics/runs'),
  bindKey: (publicKey: string): Promise<ApiResult<{ keyId: string }>> =>
    post('/analytics/keys', { publicKey }),
  /** The agreement statement to sign: its terms on the log, or new terms for the study. */
  draft: (
    agreement: string,
    keyId: string,
    validUntil?: string,
  ): Promise<ApiResult<{ statement: Record<string, unknown> }>> =>
    post('/analytics/agreement-drafts', { agreement, keyId, ...(validUntil ? { validUntil } : {}) }),
  sign: (envelope: unknown): Promise<ApiResult<{ index: number }>> =>
    post('/analytics/agreement-signatures', { envelope }),
  run: (agreement: string): Promise<ApiResult<{ run: string }>> =>
    post(`/analytics/agreements/${encodeURIComponent(agreement)}/runs`, {}),
};
