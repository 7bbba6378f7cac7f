import { useState, type FormEvent, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { authApi } from '../api/auth.ts';

/**
 * Client: demo-DigiD identity check → passkey enrolment (full-page flow served by /auth), then
 * passkey login on /auth/passkeys. Professional: password + TOTP on /auth/professionals/login.
 */
export function LoginPage({ t, onLogin }: { t: Translate; onLogin: () => void }): ReactNode {
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await authApi.professionalLogin(
      String(form.get('id') ?? ''),
      String(form.get('password') ?? ''),
      String(form.get('totp') ?? ''),
    );
    setBusy(false);
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
          </a>
        </p>
        <p>
          <a href={authApi.enrolUrl('representative')}>{t('enrolRepresentative')}</a>
        </p>
        <PasskeyButton t={t} onLogin={onLogin} />
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
          <button type="submit" disabled={busy}>
            {t(busy ? 'loggingIn' : 'submit')}
          </button>
        </form>
      </section>
    </>
  );
}

/** Passkey login in the portal; on success the app goes to the role's home. */
function PasskeyButton({ t, onLogin }: { t: Translate; onLogin: () => void }): ReactNode {
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const login = async (): Promise<void> => {
    setBusy(true);
    const result = await authApi.passkeyLogin();
    setBusy(false);
    setFailed(result.kind !== 'ok');
    if (result.kind === 'ok') onLogin();
  };
  return (
    <>
      <p>
        <button type="button" className="primary" disabled={busy} onClick={() => void login()}>
          {t(busy ? 'loggingIn' : 'passkeyLogin')}
        </button>
      </p>
      {failed && (
        <p role="alert" className="error">
          {t('passkeyLoginFailed')}
        </p>
      )}
    </>
  );
}

/** Where enrolment returns to: the passkey is made; one click logs her in. */
export function EnrolledPage({ t, onLogin }: { t: Translate; onLogin: () => void }): ReactNode {
  return (
    <>
      <h1>{t('enrolledTitle')}</h1>
      <p className="notice">{t('enrolledBody')}</p>
      <PasskeyButton t={t} onLogin={onLogin} />
    </>
  );
}
