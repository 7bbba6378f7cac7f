import { requestJson, type ApiResult } from './http.ts';

/**
 * Domains whose APIs are being built elsewhere (the exchange's consent register and access trail).
 * Each call hits the route the node will serve; until it lands the answer is 404 → 'unavailable'
 * and the page shows "nog niet beschikbaar". No data is ever invented.
 */
export const exchangeApi = {
  consents: (): Promise<ApiResult<unknown>> => requestJson('/fhir/Consent?_count=100'),
  accessTrail: (): Promise<ApiResult<unknown>> => requestJson('/exchange/access-trail'),
};
