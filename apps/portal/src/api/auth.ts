import { requestJson, type ApiResult } from './http.ts';

/** The session as /auth/session reports it (fields beyond kind are shown as given). */
export interface Session {
  kind?: string;
  displayName?: string;
  name?: string;
  [key: string]: unknown;
}

export const authApi = {
  session: (): Promise<ApiResult<Session>> => requestJson<Session>('/auth/session'),
  logout: (): Promise<ApiResult<unknown>> => requestJson('/auth/logout', { method: 'POST', body: '{}' }),
  professionalLogin: (id: string, password: string, totp: string): Promise<ApiResult<Session>> =>
    requestJson<Session>('/auth/professionals/login', {
      method: 'POST',
      body: JSON.stringify({ id, password, totp }),
    }),
  /** The demo DigiD identity check starts as a full-page navigation and returns to enrolment. */
  enrolUrl: (): string => `/auth/passkeys/enrol?returnTo=${encodeURIComponent('/portal/')}`,
};
