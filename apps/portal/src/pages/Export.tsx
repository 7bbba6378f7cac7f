import { useState, type FormEvent, type ReactNode } from 'react';
import { requestJson } from '../api/http.ts';
import { todayIso } from '../format.ts';
import type { Translate } from '../i18n.ts';
import { exchangeApi } from '../api/exchange.ts';
import { incompleteOf, type MissingHolder } from '../export.ts';
import { useOrganisations } from './PartyFields.tsx';

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; file: string; missing: MissingHolder[] }
  | { kind: 'error'; text: string };

/**
 * "Download al mijn gegevens": one FHIR Bundle of everything the region's holders keep about her,
 * collected by her node (GET /exchange/export), saved as a file; when a holder did not answer, the
 * file says so and so does the page.
 */
export function ExportSection({ t }: { t: Translate }): ReactNode {
  const [state, setState] = useState<State>({ kind: 'idle' });
  // The holders that did not answer by name, as the region names them.
  const names = useOrganisations();
  const download = async (): Promise<void> => {
    setState({ kind: 'busy' });
    const result = await exchangeApi.exportAll();
    if (result.kind !== 'ok') {
      setState({
        kind: 'error',
        text:
          result.kind === 'error'
            ? result.message
            : t(result.kind === 'unauthorised' ? 'loginNeeded' : 'notAvailable'),
      });
      return;
    }
    const file = `ketenlog-mijn-gegevens-${todayIso()}.json`;
    const url = URL.createObjectURL(result.value);
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    URL.revokeObjectURL(url);
    let missing: MissingHolder[] = [];
    try {
      missing = incompleteOf(JSON.parse(await result.value.text()));
    } catch {
      // Saved as it came; what it names as missing is then unknown.
    }
    setState({ kind: 'done', file, missing });
  };
  return (
    <section aria-labelledby="export">
      <h2 id="export">{t('exportTitle')}</h2>
      <p>{t('exportIntro')}</p>
      <button type="button" disabled={state.kind === 'busy'} onClick={() => void download()}>
        {t('exportAll')}
      </button>
      <div aria-live="polite">
        {state.kind === 'busy' && <p>{t('exportBusy')}</p>}
        {state.kind === 'done' && (
          <div className={state.missing.length ? 'notice error' : 'notice'}>
            <p>
              {t('exportDone')} {state.file}
            </p>
            {state.missing.length > 0 && (
              <>
                <p>{t('exportIncomplete')}</p>
                <ul>
                  {state.missing.map((m) => (
                    <li key={m.ura ?? m.text}>{(m.ura && names.get(m.ura)) ?? m.text}</li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
        {state.kind === 'error' && (
          <p className="notice error" role="alert">
            {t('exportFailed')} {state.text}
          </p>
        )}
      </div>
    </section>
  );
}

type Erasure =
  | { kind: 'idle' }
  | { kind: 'confirming' }
  | { kind: 'busy' }
  | { kind: 'done'; organisations: string[] }
  | { kind: 'error'; text: string };

/**
 * "Al mijn gegevens wissen": her right to erasure (AVG art. 17) as a button, with a confirmation
 * she types herself, progress while every organisation deletes, and what was erased where.
 */
export function EraseSection({ t }: { t: Translate }): ReactNode {
  const [state, setState] = useState<Erasure>({ kind: 'idle' });
  const erase = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const confirm = String(new FormData(event.currentTarget).get('confirm') ?? '').trim();
    setState({ kind: 'busy' });
    const result = await requestJson<{ erased: { name: string }[] }>('/exchange/erasure', {
      method: 'POST',
      body: JSON.stringify({ confirm }),
    });
    if (result.kind === 'ok')
      setState({ kind: 'done', organisations: result.value.erased.map((o) => o.name) });
    else
      setState({
        kind: 'error',
        text:
          result.kind === 'error'
            ? result.message
            : t(result.kind === 'unauthorised' ? 'loginNeeded' : 'notAvailable'),
      });
  };
  return (
    <section aria-labelledby="erase" className="danger-zone">
      <h2 id="erase">{t('eraseTitle')}</h2>
      <p>{t('eraseIntro')}</p>
      {state.kind === 'idle' && (
        <button type="button" className="danger" onClick={() => setState({ kind: 'confirming' })}>
          {t('eraseStart')}
        </button>
      )}
      {(state.kind === 'confirming' || state.kind === 'error') && (
        <form onSubmit={(e) => void erase(e)}>
          <p className="notice error">{t('eraseWarning')}</p>
          <label>
            {t('eraseConfirmLabel')}
            <input name="confirm" autoComplete="off" required pattern="VERWIJDER" />
          </label>
          <p className="actions">
            <button type="submit" className="danger">
              {t('eraseConfirm')}
            </button>
            <button type="button" onClick={() => setState({ kind: 'idle' })}>
              {t('cancel')}
            </button>
          </p>
        </form>
      )}
      <div aria-live="polite">
        {state.kind === 'busy' && (
          <p role="status" className="progress">
            {t('eraseBusy')}
          </p>
        )}
        {state.kind === 'done' && (
          <div className="notice">
            <p>{t('eraseDone')}</p>
            <ul>
              {state.organisations.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          </div>
        )}
        {state.kind === 'error' && (
          <p className="notice error" role="alert">
            {t('eraseFailed')} {state.text}
          </p>
        )}
      </div>
    </section>
  );
}
