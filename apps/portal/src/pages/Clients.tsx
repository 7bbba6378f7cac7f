import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { fhirApi, resourcesOf, type Bundle } from '../api/fhir.ts';
import { requestJson, type ApiResult } from '../api/http.ts';
import { ResultState } from './State.tsx';

type Name = { given?: string[]; family?: string; text?: string };

interface ConsentStatus {
  patient: string;
  shared: number;
  withheld: number;
  holders: number;
}

/**
 * Professional: the clients at this node (names only; no BSN on screen or in any URL), each with
 * her consent status: how many kinds of her data other organisations would share with us.
 */
export function ClientsPage({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<Bundle> | undefined>();
  const [status, setStatus] = useState<Map<string, ConsentStatus>>(new Map());
  useEffect(() => void fhirApi.search('Patient').then(setResult), []);
  useEffect(
    () =>
      void requestJson<{ clients: ConsentStatus[] }>('/exchange/consent-status').then((r) => {
        if (r.kind === 'ok') setStatus(new Map(r.value.clients.map((c) => [c.patient, c])));
      }),
    [],
  );
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
                const consent = status.get(p.id ?? '');
                return (
                  <li key={p.id}>
                    <a href={`/portal/overview?${new URLSearchParams({ patient: p.id ?? '' })}`}>{name}</a>
                    {consent && (
                      <p className="consent-status">
                        {consent.holders === 0
                          ? t('clientsConsentNone')
                          : `${consent.shared} ${t('clientsConsentShared')} · ${consent.withheld} ${t('clientsConsentWithheld')}`}
                      </p>
                    )}
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
