import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { CATEGORIES, exchangeApi, type ConsentBundle, type ConsentChoice } from '../api/exchange.ts';
import { signDrafts } from '../carelog/passkey-signing.ts';
import { Notice, ResultState, type Message } from './State.tsx';
import { ConsentPreviewSection } from './ConsentPreview.tsx';
import { categoryKey } from './vocabulary.ts';
import { PartyFields, partyOf, PurposeSelect, useOrganisations } from './PartyFields.tsx';
import { formatDate } from '../format.ts';
import type { PreviewParty } from '../api/exchange.ts';

const PURPOSE_CODES: Record<string, MessageKey> = {
  TREAT: 'purpose-treatment',
  HPAYMT: 'purpose-billing',
  HRESCH: 'purpose-research',
};

/** Drafts her choice at the node and signs each draft with her passkey. */
export async function signAll(choice: ConsentChoice): Promise<ApiResult<number>> {
  const drafted = await exchangeApi.consentDrafts(choice);
  return drafted.kind === 'ok' ? signDrafts(drafted.value.drafts) : drafted;
}

/** Wie ziet wat: her consent register in plain language, a new choice, one-click withdrawal. */
export function ConsentPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<ConsentBundle> | undefined>();
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  /** The preview shown: after a signed choice, what that very party now sees for that purpose. */
  const [previewOf, setPreviewOf] = useState<{ party: PreviewParty; purpose: string } | undefined>();
  const names = useOrganisations();
  const load = useCallback(() => void exchangeApi.consents().then(setResult), []);
  useEffect(load, [load]);

  const run = async (choice: ConsentChoice, done: MessageKey): Promise<void> => {
    setBusy(true);
    setMessage({ text: t('signingPasskey'), error: false });
    const signed = await signAll(choice);
    setBusy(false);
    setMessage(
      signed.kind === 'ok'
        ? { text: t(done), error: false }
        : { text: `${t('signFailed')} ${signed.kind === 'error' ? signed.message : ''}`, error: true },
    );
    if (signed.kind === 'ok' && choice.actor) {
      setPreviewOf({
        party:
          choice.actor.kind === 'organisation'
            ? { ura: choice.actor.ura }
            : { type: choice.actor.kind === 'type' ? choice.actor.type : 'huisarts' },
        purpose: choice.purpose ?? 'treatment',
      });
    }
    load();
    setVersion((v) => v + 1);
    // The answer where the eye is: the notice at the top of the page.
    document.getElementById('consent-notice')?.scrollIntoView({ block: 'center' });
  };

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const actor = partyOf(data);
    const chosen = String(data.get('category') ?? '');
    const category = chosen === '*' ? '' : chosen;
    const purpose = String(data.get('purpose') ?? '');
    const choice: ConsentChoice = {
      decision: data.get('decision') === 'objection' ? 'objection' : 'grant',
      ...(actor ? { actor } : {}),
      ...(category ? { categories: [category] } : {}),
      ...(purpose ? { purpose } : {}),
    };
    void run(choice, 'consentSigned');
  };

  return (
    <>
      <h1>{t('consentTitle')}</h1>
      <p>{t('consentIntro')}</p>
      <div id="consent-notice">
        <Notice message={message} />
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
                      const ura = p.actor?.[0]?.reference?.identifier?.value;
                      const who =
                        (ura ? names.get(ura) : undefined) ??
                        p.actor?.[0]?.reference?.display ??
                        t('everyone');
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
                            {t('since')} <time dateTime={c.dateTime}>{formatDate(c.dateTime)}</time>
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
                      <input type="radio" name="decision" value="grant" required defaultChecked />{' '}
                      {t('grantLong')}
                    </label>
                    <label className="check">
                      <input type="radio" name="decision" value="objection" /> {t('objectionLong')}
                    </label>
                  </fieldset>
                  <PartyFields
                    t={t}
                    whoLabel="consentWho"
                    first={{ value: '', label: 'chooseOne' }}
                    everyone
                  />
                  <label htmlFor="consent-category">{t('consentWhat')}</label>
                  <select id="consent-category" name="category" required defaultValue="">
                    <option value="" disabled>
                      {t('chooseOne')}
                    </option>
                    {CATEGORIES.map((c) => (
                      <option key={c} value={c}>
                        {t(categoryKey(c))}
                      </option>
                    ))}
                    <option value="*">{t('allData')}</option>
                  </select>
                  <PurposeSelect t={t} label="consentWhy" any />
                  <button type="submit" disabled={busy}>
                    {t(busy ? 'signingPasskey' : 'signConsent')}
                  </button>
                </form>
              </section>
              <ConsentPreviewSection t={t} version={version} shown={previewOf} />
            </>
          );
        }}
      </ResultState>
    </>
  );
}
