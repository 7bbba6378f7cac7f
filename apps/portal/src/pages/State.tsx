import type { ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';

/** Loading / not-available / login-needed / error states shared by every page. */
export function ResultState<T>(props: {
  t: Translate;
  result: ApiResult<T> | undefined;
  retry?: () => void;
  children: (value: T) => ReactNode;
}): ReactNode {
  const { t, result } = props;
  if (!result) return <p role="status">{t('loading')}</p>;
  if (result.kind === 'unavailable')
    return (
      <section className="notice" aria-labelledby="na">
        <h2 id="na">{t('notAvailable')}</h2>
        <p>{t('notAvailableBody')}</p>
      </section>
    );
  if (result.kind === 'unauthorised')
    return (
      <p className="notice">
        {t('loginNeeded')} <a href="/portal/login">{t('navLogin')}</a>
      </p>
    );
  if (result.kind === 'error')
    return (
      <div role="alert" className="notice error">
        <p>
          {t('error')} ({result.status || '—'})
        </p>
        {props.retry && (
          <button type="button" onClick={props.retry}>
            {t('retry')}
          </button>
        )}
      </div>
    );
  return <>{props.children(result.value)}</>;
}

/** A page's answer to what the user just did: a notice, or an alert when it went wrong. */
export type Message = { text: string; error: boolean } | undefined;

export function Notice({ message }: { message: Message }): ReactNode {
  return (
    <div aria-live="polite">
      {message && (
        <p className={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : undefined}>
          {message.text}
        </p>
      )}
    </div>
  );
}
