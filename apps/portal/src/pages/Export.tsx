import { useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { exchangeApi } from '../api/exchange.ts';
import { incompleteOf } from '../export.ts';

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; file: string; missing: string[] }
  | { kind: 'error'; text: string };

/**
 * "Download al mijn gegevens": one FHIR Bundle of everything the region's holders keep about her,
 * collected by her node (GET /exchange/export), saved as a file; when a holder did not answer, the
 * file says so and so does the page.
 */
export function ExportSection({ t }: { t: Translate }): ReactNode {
  const [state, setState] = useState<State>({ kind: 'idle' });
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
    const file = `ketenlog-mijn-gegevens-${new Date().toISOString().slice(0, 10)}.json`;
    const url = URL.createObjectURL(result.value);
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    URL.revokeObjectURL(url);
    let missing: string[] = [];
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
                    <li key={m}>{m}</li>
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
