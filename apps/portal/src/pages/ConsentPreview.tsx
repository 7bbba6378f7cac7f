import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import { exchangeApi, type ConsentPreview, type PreviewParty } from '../api/exchange.ts';
import { toTimeline } from '../timeline.ts';
import { ResultState } from './State.tsx';
import { TimelineList } from './TimelineList.tsx';
import { categoryKey, typeKey } from './vocabulary.ts';
import { PartyFields, partyOf, PurposeSelect } from './PartyFields.tsx';

/**
 * "Wat ziet deze partij?": for a party and a purpose, per category whether it would see her data
 * and why — decided at her node by the same policy decision point the holders use — with her items
 * here in the visible categories. `version` changes after every signed choice: the preview follows.
 */
export function ConsentPreviewSection({
  t,
  version,
  shown,
}: {
  t: Translate;
  version: number;
  /** A preview to show now (the party and purpose of the choice she just signed). */
  shown?: { party: PreviewParty; purpose: string } | undefined;
}): ReactNode {
  const [query, setQuery] = useState<{ party: PreviewParty; purpose: string } | undefined>();
  useEffect(() => {
    if (shown) setQuery(shown);
  }, [shown]);
  const [result, setResult] = useState<ApiResult<ConsentPreview> | undefined>();
  useEffect(() => {
    if (!query) return;
    setResult(undefined);
    void exchangeApi.consentPreview(query.party, query.purpose).then(setResult);
  }, [query, version]);

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const actor = partyOf(data);
    setQuery({
      party:
        actor?.kind === 'organisation'
          ? { ura: actor.ura }
          : { type: actor?.kind === 'type' ? actor.type : 'huisarts' },
      purpose: String(data.get('purpose') ?? 'treatment'),
    });
  };

  return (
    <section aria-labelledby="preview">
      <h2 id="preview">{t('previewTitle')}</h2>
      <p>{t('previewIntro')}</p>
      <form onSubmit={submit} aria-label={t('previewTitle')}>
        <PartyFields
          t={t}
          whoLabel="previewType"
          first={undefined}
          key={query ? JSON.stringify(query) : 'none'}
          {...(query
            ? { defaultValue: 'ura' in query.party ? `ura:${query.party.ura}` : `type:${query.party.type}` }
            : {})}
        />
        <PurposeSelect
          t={t}
          label="previewPurpose"
          any={false}
          key={query?.purpose}
          {...(query ? { defaultValue: query.purpose } : {})}
        />
        <button type="submit">{t('previewShow')}</button>
      </form>
      {query && (
        <div aria-live="polite">
          {result?.kind === 'unavailable' && 'ura' in query.party ? (
            <p className="notice error" role="alert">
              {t('previewUnknownOrganisation')}
            </p>
          ) : (
            <ResultState t={t} result={result}>
              {(preview) => <PreviewResult t={t} preview={preview} />}
            </ResultState>
          )}
        </div>
      )}
    </section>
  );
}

function PreviewResult({ t, preview }: { t: Translate; preview: ConsentPreview }): ReactNode {
  const party = preview.party.name ?? t(typeKey(preview.party.type));
  const visible = preview.categories.filter((c) => c.visible);
  return (
    <div className="preview">
      <h3>
        {t('previewFor')} {party} · {t(`purpose-${preview.purpose}` as MessageKey)}
      </h3>
      <p className="notice">
        {visible.length === 0
          ? t('previewNothing')
          : `${t('previewSees')} ${visible.map((c) => t(categoryKey(c.category))).join(', ')}.`}{' '}
        {t('previewOwnData')}
      </p>
      <ul className="timeline preview-list short">
        {[...preview.categories]
          .sort((a, b) => Number(b.visible) - Number(a.visible))
          .map((c) => {
            const mine = c.items ?? [];
            return (
              <li key={c.category} data-category={c.category}>
                <h4>
                  {t(categoryKey(c.category))}{' '}
                  <span className={c.visible ? 'tag visible' : 'tag'}>
                    {t(c.visible ? 'previewVisible' : 'previewHidden')}
                  </span>
                </h4>
                <p>{t(basisKey(c.basis))}</p>
                {c.visible &&
                  (mine.length === 0 ? (
                    <p className="meta">{t('previewNoItems')}</p>
                  ) : (
                    <TimelineList t={t} items={toTimeline(mine)} Heading="h5" />
                  ))}
              </li>
            );
          })}
      </ul>
    </div>
  );
}

const BASES = ['own-organisation', 'consent', 'objection', 'no-consent', 'outside-care'] as const;
const basisKey = (basis: string): MessageKey =>
  (BASES as readonly string[]).includes(basis) ? (`basis-${basis}` as MessageKey) : 'basis-other';
