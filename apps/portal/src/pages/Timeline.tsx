import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { loadTimelineResources, type FhirResource } from '../api/fhir.ts';
import type { ApiResult } from '../api/http.ts';
import { toTimeline } from '../timeline.ts';
import { ResultState } from './State.tsx';
import { TimelineList } from './TimelineList.tsx';
import { EraseSection, ExportSection } from './Export.tsx';
import { missingOf } from '../api/overview.ts';
import { plural } from '../format.ts';

/** Her data across the region; `own` when she is the client (a representative may not erase it). */
export function TimelinePage({ t, own }: { t: Translate; own: boolean }): ReactNode {
  const [result, setResult] = useState<ApiResult<FhirResource[]> | undefined>();
  const load = useCallback(() => {
    setResult(undefined);
    void loadTimelineResources().then(setResult);
  }, []);
  useEffect(load, [load]);
  return (
    <>
      <h1>{t(own ? 'timelineTitle' : 'timelineTitleRep')}</h1>
      <p>{t(own ? 'timelineIntro' : 'timelineIntroRep')}</p>
      <ExportSection t={t} />
      <h2>{t('timelineItems')}</h2>
      <ResultState t={t} result={result} retry={load}>
        {(resources) => {
          const items = toTimeline(
            resources.filter((r) => r.resourceType !== 'OperationOutcome' && r.resourceType !== 'Patient'),
          );
          // Organisations that did not answer: what is missing is said, not hidden.
          const missing = missingOf({
            resourceType: 'Bundle',
            entry: resources
              .filter((r) => r.resourceType === 'OperationOutcome')
              .map((resource) => ({ resource })),
          });
          return (
            <>
              {missing.map((m) => (
                <p key={m.text} className="notice">
                  {m.text}
                </p>
              ))}
              {items.length > 0 && (
                <p className="meta">{plural(items.length, [t('recordOne'), t('recordOther')])}</p>
              )}
              {items.length === 0 ? (
                <p className="notice">{t('empty')}</p>
              ) : (
                <TimelineList t={t} items={items} Heading="h3" />
              )}
            </>
          );
        }}
      </ResultState>
      {own ? <EraseSection t={t} /> : <p className="notice">{t('repEraseOwn')}</p>}
    </>
  );
}
