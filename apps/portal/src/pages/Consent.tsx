import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import {
  CATEGORIES,
  exchangeApi,
  ORGANISATION_TYPES,
  PURPOSES,
  type ConsentBundle,
  type ConsentChoice,
} from '../api/exchange.ts';
import { prepareStatement, signPrepared } from '../carelog/passkey-signing.ts';
import { ResultState } from './State.tsx';

const PURPOSE_CODES: Record<string, MessageKey> = {
  TREAT: 'purpose-treatment',
  HPAYMT: 'purpose-billing',
  HRESCH: 'purpose-research',
};
export const categoryKey = (code: string): MessageKey => `category-${code}` as MessageKey;
const typeKey = (code: string): MessageKey => `orgtype-${code}` as MessageKey;

/** Signs each draft with her passkey, one after the other; stops at the first that fails. */
async function signAll(choice: ConsentChoice): Promise<ApiResult<number>> {
  const drafted = await exchangeApi.consentDrafts(choice);
  if (drafted.kind !== 'ok') return drafted;
  for (const draft of drafted.value.drafts) {
    const prepared = await prepareStatement(draft);
    const signed = prepared.kind === 'ok' ? await signPrepared(prepared.value) : prepared;
    if (signed.kind !== 'ok') return signed;
  }
  return { kind: 'ok', value: drafted.value.drafts.length };
}

/** Wie ziet wat: her consent register in plain language, a new choice, one-click withdrawal. */
export function ConsentPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<ConsentBundle> | undefined>();
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => void exchangeApi.consents().then(setResult), []);
  useEffect(load, [load]);

  const run = async (choice: ConsentChoice, done: MessageKey): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    const signed = await signAll(choice);
    setBusy(false);
    setMessage(
      signed.kind === 'ok'
        ? { text: t(done), error: false }
        : { text: `${t('signFailed')} ${signed.kind === 'error' ? signed.message : ''}`, error: true },
    );
    load();
  };

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const who = String(data.get('who') ?? '');
    const ura = String(data.get('ura') ?? '').trim();
    const category = String(data.get('category') ?? '');
    const purpose = String(data.get('purpose') ?? '');
    const choice: ConsentChoice = {
      decision: data.get('decision') === 'objection' ? 'objection' : 'grant',
      ...(ura ? { actor: { kind: 'organisation', ura } } : who ? { actor: { kind: 'type', type: who } } : {}),
      ...(category ? { categories: [category] } : {}),
      ...(purpose ? { purpose } : {}),
    };
    void run(choice, 'consentSigned');
  };

  return (
    <>
      <h1>{t('consentTitle')}</h1>
      <p>{t('consentIntro')}</p>
      <div aria-live="polite">
        {message && (
          <p className={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : undefined}>
            {message.text}
          </p>
        )}
      </div>
      <ResultState t={t} result={result} retry={load}>
        {(bundle) => {
          const consents = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
          return (
            <>
              <section aria-labelledby="register">
                <h2 id="register">{t('consentRegister')}</h2>
                {consents.length === 0 ? (
                  <p className="notice">{t('noConsents')}</p>
                ) : (
                  <ul className="timeline consents">
                    {consents.map((c) => {
                      const p = c.provision ?? {};
                      const who = p.actor?.[0]?.reference?.display ?? t('everyone');
                      const what = p.class?.[0]?.code;
                      const why = p.purpose?.[0]?.code;
                      return (
                        <li key={c.id}>
                          <p>
                            <span className="tag">{t(p.type === 'deny' ? 'objection' : 'grant')}</span>{' '}
                            <strong>{who}</strong> · {what ? t(categoryKey(what)) : t('allData')} ·{' '}
                            {why && PURPOSE_CODES[why] ? t(PURPOSE_CODES[why]) : t('allPurposes')}
                          </p>
                          <p className="meta">
                            {t('since')} <time dateTime={c.dateTime}>{c.dateTime?.slice(0, 10)}</time>
                          </p>
                          <button
                            type="button"
                            disabled={busy}
                            onClick={() => void run({ withdraw: c.id }, 'consentWithdrawn')}
                          >
                            {t('withdraw')}
                            <span className="sr-only">
                              {' '}
                              {who}, {what ? t(categoryKey(what)) : t('allData')}
                            </span>
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                )}
              </section>
              <section aria-labelledby="new-consent">
                <h2 id="new-consent">{t('newConsent')}</h2>
                <form onSubmit={submit}>
                  <fieldset>
                    <legend>{t('decision')}</legend>
                    <label className="check">
                      <input type="radio" name="decision" value="grant" defaultChecked /> {t('grantLong')}
                    </label>
                    <label className="check">
                      <input type="radio" name="decision" value="objection" /> {t('objectionLong')}
                    </label>
                  </fieldset>
                  <label>
                    {t('consentWho')}
                    <select name="who">
                      <option value="">{t('everyone')}</option>
                      {ORGANISATION_TYPES.map((type) => (
                        <option key={type} value={type}>
                          {t(typeKey(type))}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t('consentUra')}
                    <input name="ura" inputMode="numeric" pattern="[0-9]{8}" />
                  </label>
                  <label>
                    {t('consentWhat')}
                    <select name="category">
                      <option value="">{t('allData')}</option>
                      {CATEGORIES.map((c) => (
                        <option key={c} value={c}>
                          {t(categoryKey(c))}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t('consentWhy')}
                    <select name="purpose">
                      <option value="">{t('allPurposes')}</option>
                      {PURPOSES.map((p) => (
                        <option key={p} value={p}>
                          {t(`purpose-${p}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="submit" disabled={busy}>
                    {t('signConsent')}
                  </button>
                </form>
              </section>
            </>
          );
        }}
      </ResultState>
    </>
  );
}
