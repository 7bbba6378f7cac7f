import { useState, type FormEvent, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { authApi } from '../api/auth.ts';

/**
 * Client: demo-DigiD identity check → passkey enrolment (full-page flow served by /auth), then
 * passkey login on /auth/passkeys. Professional: password + TOTP on /auth/professionals/login.
 */
export function LoginPage({ t, onLogin }: { t: Translate; onLogin: () => void }): ReactNode {
  const [failed, setFailed] = useState(false);
  const [passkeyFailed, setPasskeyFailed] = useState(false);
  const passkeyLogin = async (): Promise<void> => {
    const result = await authApi.passkeyLogin();
    setPasskeyFailed(result.kind !== 'ok');
    if (result.kind === 'ok') onLogin();
  };
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await authApi.professionalLogin(
      String(form.get('id') ?? ''),
      String(form.get('password') ?? ''),
      String(form.get('totp') ?? ''),
    );
    setFailed(result.kind !== 'ok');
    if (result.kind === 'ok') onLogin();
  };
  return (
    <>
      <h1>{t('loginTitle')}</h1>
      <section aria-labelledby="client">
        <h2 id="client">{t('loginClient')}</h2>
        <p>{t('loginClientIntro')}</p>
        <p>
          <a className="button" href={authApi.enrolUrl()}>
            {t('enrol')}
          </a>{' '}
          <button type="button" onClick={() => void passkeyLogin()}>
            {t('passkeyLogin')}
          </button>
        </p>
        {passkeyFailed && (
          <p role="alert" className="error">
            {t('passkeyLoginFailed')}
          </p>
        )}
      </section>
      <section aria-labelledby="pro">
        <h2 id="pro">{t('loginProfessional')}</h2>
        <form onSubmit={(e) => void submit(e)}>
          <label>
            {t('professionalId')}
            <input name="id" autoComplete="username" required />
          </label>
          <label>
            {t('password')}
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <label>
            {t('totp')}
            <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required />
          </label>
          {failed && (
            <p role="alert" className="error">
              {t('loginFailed')}
            </p>
          )}
          <button type="submit">{t('submit')}</button>
        </form>
      </section>
    </>
  );
}
