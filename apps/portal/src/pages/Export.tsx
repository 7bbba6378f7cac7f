import { useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { exchangeApi } from '../api/exchange.ts';

type State =
  { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; file: string } | { kind: 'error'; text: string };

/**
 * "Download al mijn gegevens": one FHIR Bundle of everything the region's holders keep about her,
 * collected by her node (GET /exchange/export), saved as a file.
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
    setState({ kind: 'done', file });
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
          <p className="notice">
            {t('exportDone')} {state.file}
          </p>
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
