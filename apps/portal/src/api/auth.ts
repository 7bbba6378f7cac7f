import { requestJson, type ApiResult } from './http.ts';
import { getAssertion, type RequestOptionsJSON } from '../webauthn.ts';
import { isRole, type Role } from '../roles.ts';

/** Who is logged in, as /auth/session reports it (packages/auth session principals). */
export type Principal =
  | { kind: 'client'; holder: string; credentialId: string }
  | { kind: 'representative'; holder: string; actingFor?: { client: string } }
  | { kind: 'professional'; id: string; actingAs?: { organisation: string; role: string } }
  | { kind: 'enrolling'; holder: string };

export interface Session {
  principal: Principal;
}

/** The organisation's URA and the role a professional acts in, when she acts for one. */
export function actingOf(principal: Principal | undefined): { ura: string; role: string } | undefined {
  if (principal?.kind !== 'professional' || !principal.actingAs) return undefined;
  return { ura: principal.actingAs.organisation.replace(/^ura:/, ''), role: principal.actingAs.role };
}

/** Who this session is, in words (GET /exchange/me at the node). */
export interface Me {
  kind: Principal['kind'];
  name?: string;
  birthDate?: string;
  role?: string;
  organisation?: { ura: string; name?: string };
  actingFor?: { name?: string; birthDate?: string };
}

/**
 * Whether this browser has logged in here and not out: only then does the portal ask the node
 * about its session, so a logged-out visit makes no data calls (and no 401s in the console).
 */
const HINT = 'ketenlog-session';
export const sessionHint = {
  present: (): boolean => localStorage.getItem(HINT) !== null,
  /** Logged in here; with her role once known, so her home's code loads with the app next time. */
  set: (role?: Role): void => localStorage.setItem(HINT, role ?? '1'),
  /** The role she last had here (a hint only: the session decides what she may open). */
  role: (): Role | undefined => {
    const value = localStorage.getItem(HINT);
    return value !== null && isRole(value) ? value : undefined;
  },
  clear: (): void => localStorage.removeItem(HINT),
};

export const authApi = {
  session: (): Promise<ApiResult<Session>> => requestJson<Session>('/auth/session'),
  me: (): Promise<ApiResult<Me>> => requestJson<Me>('/exchange/me'),
  logout: (): Promise<ApiResult<unknown>> => requestJson('/auth/logout', { method: 'POST', body: '{}' }),
  professionalLogin: (id: string, password: string, totp: string): Promise<ApiResult<Session>> =>
    requestJson<Session>('/auth/professionals/login', {
      method: 'POST',
      body: JSON.stringify({ id, password, totp }),
    }),
  /** Passkey login in the portal itself: options, the authenticator's assertion, verification. */
  async passkeyLogin(): Promise<ApiResult<Session>> {
    const options = await requestJson<RequestOptionsJSON>('/auth/passkeys/authentication/options', {
      method: 'POST',
      body: '{}',
    });
    if (options.kind !== 'ok') return options;
    let assertion;
    try {
      assertion = await getAssertion(options.value);
    } catch (error) {
      return { kind: 'error', status: 0, message: (error as Error).message };
    }
    return requestJson<Session>('/auth/passkeys/authentication/verify', {
      method: 'POST',
      body: JSON.stringify(assertion),
    });
  },
  /** The demo DigiD identity check starts as a full-page navigation and returns to enrolment. */
  enrolUrl: (as?: 'representative'): string =>
    `/auth/passkeys/enrol?returnTo=${encodeURIComponent('/portal/enrolled')}${as ? `&as=${as}` : ''}`,
};
