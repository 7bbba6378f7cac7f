import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { fhirApi, resourcesOf, TIMELINE_TYPES, type FhirResource } from '../api/fhir.ts';
import type { ApiResult } from '../api/http.ts';
import { toTimeline } from '../timeline.ts';
import { ResultState } from './State.tsx';
import { TimelineList } from './TimelineList.tsx';

async function loadAll(): Promise<ApiResult<FhirResource[]>> {
  const results = await Promise.all(TIMELINE_TYPES.map((type) => fhirApi.search(type)));
  for (const r of results) if (r.kind !== 'ok') return r;
  return { kind: 'ok', value: results.flatMap((r) => (r.kind === 'ok' ? resourcesOf(r.value) : [])) };
}

export function TimelinePage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<FhirResource[]> | undefined>();
  const load = useCallback(() => {
    setResult(undefined);
    void loadAll().then(setResult);
  }, []);
  useEffect(load, [load]);
  const download = (resources: FhirResource[]): void => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: resources.map((resource) => ({ resource })),
    };
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = 'mijn-gegevens.json';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <h1>{t('timelineTitle')}</h1>
      <p>{t('timelineIntro')}</p>
      <ResultState t={t} result={result} retry={load}>
        {(resources) => {
          const items = toTimeline(resources);
          if (items.length === 0) return <p className="notice">{t('empty')}</p>;
          return (
            <>
              <button type="button" onClick={() => download(resources)}>
                {t('exportData')}
              </button>
              <TimelineList t={t} items={items} Heading="h2" />
            </>
          );
        }}
      </ResultState>
    </>
  );
}
