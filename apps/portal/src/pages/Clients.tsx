import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { fhirApi, resourcesOf, type Bundle } from '../api/fhir.ts';
import type { ApiResult } from '../api/http.ts';
import { ResultState } from './State.tsx';

type Name = { given?: string[]; family?: string; text?: string };

/** Professional: the clients at this node (names only; no BSN on screen or in any URL). */
export function ClientsPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<Bundle> | undefined>();
  useEffect(() => void fhirApi.search('Patient').then(setResult), []);
  return (
    <>
      <h1>{t('clientsTitle')}</h1>
      <ResultState t={t} result={result}>
        {(bundle) => {
          const patients = resourcesOf(bundle);
          if (patients.length === 0) return <p className="notice">{t('empty')}</p>;
          return (
            <ul className="cards">
              {patients.map((p) => {
                const n = (p.name as Name[] | undefined)?.[0];
                const name = n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
                return (
                  <li key={p.id}>
                    <a href={`/portal/overview?${new URLSearchParams({ patient: p.id ?? '' })}`}>{name}</a>
                  </li>
                );
              })}
            </ul>
          );
        }}
      </ResultState>
    </>
  );
}
