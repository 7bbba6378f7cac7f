import { requestJson, type ApiResult } from './http.ts';

/**
 * Domains whose APIs are being built elsewhere (exchange overview + consent register, carelog
 * hours/approvals). Each call hits the route the node will serve; until it lands the answer is
 * 404 → 'unavailable' and the page shows "nog niet beschikbaar". No data is ever invented.
 */
export const carelogApi = {
  hours: (): Promise<ApiResult<unknown>> => requestJson('/carelog/hours'),
};
export const exchangeApi = {
  consents: (): Promise<ApiResult<unknown>> => requestJson('/fhir/Consent?_count=100'),
  accessTrail: (): Promise<ApiResult<unknown>> => requestJson('/exchange/access-trail'),
};
