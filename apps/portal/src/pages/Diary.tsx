import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import type { Principal } from '../api/auth.ts';
import { fhirApi, resourcesOf, type FhirResource } from '../api/fhir.ts';
import { DIARY_CODE, DIARY_MAX_LENGTH, DIARY_SYSTEM, diaryObservation } from '@ketenlog/auth/diary';
import { signAll } from './Consent.tsx';
import { PartyFields, partyOf } from './PartyFields.tsx';
import { Notice, ResultState, type Message } from './State.tsx';
import { formatDateTime } from '../format.ts';

const isDiary = (r: FhirResource): boolean =>
  ((r as { code?: { coding?: { system?: string; code?: string }[] } }).code?.coding ?? []).some(
    (c) => c.system === DIARY_SYSTEM && c.code === DIARY_CODE,
  );

/**
 * Mijn dagboek: short entries she writes herself, kept at her node as self-reported Observations,
 * listed newest first; "delen met" signs a consent for her own measurements and diary
 * (category self-measurements) to the party she chooses.
 */
export function DiaryPage({ t, principal }: { t: Translate; principal: Principal | undefined }): ReactNode {
  if (principal?.kind !== 'client')
    return (
      <>
        <h1>{t('diaryTitle')}</h1>
        <p>{t('diaryIntro')}</p>
        <p className="notice">
          {t('diaryForClients')} <a href="/portal/login">{t('navLogin')}</a>
        </p>
      </>
    );
  return <Diary t={t} />;
}

function Diary({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<FhirResource[]> | undefined>();
  const [message, setMessage] = useState<Message>();
  /** What is under way (its progress shown at once), if anything. */
  const [busy, setBusy] = useState<MessageKey | undefined>();
  const load = useCallback(() => {
    void fhirApi
      .search('Observation', { code: `${DIARY_SYSTEM}|${DIARY_CODE}`, _sort: '-date' })
      .then((r) =>
        setResult(r.kind === 'ok' ? { kind: 'ok', value: resourcesOf(r.value).filter(isDiary) } : r),
      );
  }, []);
  useEffect(load, [load]);
  const say = (text: string, error = false): void => setMessage({ text, error });

  const save = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    const text = String(new FormData(form).get('text') ?? '').trim();
    if (!text) return;
    setBusy('saving');
    const created = await fhirApi.create(diaryObservation(text, new Date()) as unknown as FhirResource);
    setBusy(undefined);
    if (created.kind === 'ok') {
      form.reset();
      say(t('diarySaved'));
      load();
    } else
      say(
        created.kind === 'unavailable'
          ? t('diaryNoPatient')
          : `${t('error')}${created.kind === 'error' ? `: ${created.message}` : ''}`,
        true,
      );
  };

  const share = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const actor = partyOf(new FormData(event.currentTarget));
    if (!actor) return say(t('chooseParty'), true);
    setBusy('signingPasskey');
    const signed = await signAll({
      decision: 'grant',
      actor,
      categories: ['self-measurements'],
      purpose: 'treatment',
    });
    setBusy(undefined);
    if (signed.kind === 'ok') say(t('diaryShared'));
    else say(`${t('signFailed')} ${signed.kind === 'error' ? signed.message : ''}`, true);
  };

  return (
    <>
      <h1>{t('diaryTitle')}</h1>
      <p>{t('diaryIntro')}</p>
      <Notice message={message} />
      {busy && (
        <p role="status" className="progress">
          {t(busy)}
        </p>
      )}
      <form onSubmit={(e) => void save(e)}>
        <label>
          {t('diaryText')}
          <textarea name="text" rows={4} maxLength={DIARY_MAX_LENGTH} required />
        </label>
        <button type="submit" disabled={busy !== undefined}>
          {t('diarySave')}
        </button>
      </form>
      <section aria-labelledby="diary-entries">
        <h2 id="diary-entries">{t('diaryEntries')}</h2>
        <ResultState t={t} result={result} retry={load}>
          {(entries) =>
            entries.length === 0 ? (
              <p className="notice">{t('diaryEmpty')}</p>
            ) : (
              <ol className="timeline diary">
                {entries.map((e) => {
                  const at = String((e as { effectiveDateTime?: string }).effectiveDateTime ?? '');
                  return (
                    <li key={e.id}>
                      <p className="meta">
                        <span className="tag">{t('selfReported')}</span>{' '}
                        <time dateTime={at}>{formatDateTime(at)}</time>
                      </p>
                      <p className="diary-text">
                        {String((e as { valueString?: string }).valueString ?? '')}
                      </p>
                    </li>
                  );
                })}
              </ol>
            )
          }
        </ResultState>
      </section>
      <section aria-labelledby="diary-share">
        <h2 id="diary-share">{t('diaryShareTitle')}</h2>
        <p>{t('diaryShareIntro')}</p>
        <form onSubmit={(e) => void share(e)}>
          <PartyFields
            t={t}
            whoLabel={'consentWho' satisfies MessageKey}
            first={{ value: '', label: 'chooseOne' }}
          />
          <button type="submit" disabled={busy !== undefined}>
            {t('diaryShare')}
          </button>
        </form>
      </section>
    </>
  );
}
