// The analyst's read routes at this node (packages/node/src/analytics/read-routes.ts): research
// agreements this organisation is a party to, and the runs it took part in.
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
}
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
  recordsLeftOut: Record<string, number>;
  output?: {
    cohortSize?: number;
    cells?: Cell[];
    effect?: { costEur: Estimate; gpVisits: Estimate; n: number };
  };
  error?: string;
  statement?: { log: string; index: number };
}

export const analyticsApi = {
  agreements: (): Promise<ApiResult<{ agreements: Agreement[] }>> => requestJson('/analytics/agreements'),
  runs: (): Promise<ApiResult<{ runs: Run[] }>> => requestJson('/analytics/runs'),
};
