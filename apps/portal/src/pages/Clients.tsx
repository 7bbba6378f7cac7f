import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { fhirApi, resourcesOf } from '../api/fhir.ts';
import { requestJson, type ApiResult } from '../api/http.ts';
import { ageOf, formatDate, plural } from '../format.ts';
import { matches, patientView, type PatientView } from '../patient.ts';
import { ResultState } from './State.tsx';

interface ConsentStatus {
  patient: string;
  shared: number;
  withheld: number;
  holders: number;
}

/**
 * Professional: the clients at this organisation, found by name or BSN (searched in the browser:
 * a BSN never goes into a URL), each with her birth date and age — two clients with the same name
 * are told apart — and her consent status: how many kinds of her data elsewhere we would see.
 */
export function ClientsPage({ t, navigate }: { t: Translate; navigate: (to: string) => void }): ReactNode {
  const [result, setResult] = useState<ApiResult<PatientView[]> | undefined>();
  const [status, setStatus] = useState<Map<string, ConsentStatus>>(new Map());
  const [query, setQuery] = useState('');
  useEffect(
    () =>
      void fhirApi
        .search('Patient')
        .then((r) =>
          setResult(r.kind === 'ok' ? { kind: 'ok', value: resourcesOf(r.value).map(patientView) } : r),
        ),
    [],
  );
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
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('clientsSearch')}
          <input
            type="search"
            name="q"
            autoComplete="off"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
      </form>
      <ResultState t={t} result={result}>
        {(patients) => {
          const found = patients
            .filter((p) => matches(p, query))
            .sort((a, b) => a.name.localeCompare(b.name, 'nl'));
          return (
            <>
              <p aria-live="polite" className="meta">
                {plural(found.length, [t('clientOne'), t('clientOther')])}
              </p>
              {found.length === 0 ? (
                <p className="notice">{t('clientsNoneFound')}</p>
              ) : (
                <ul className="clients">
                  {found.map((p) => {
                    const consent = status.get(p.id);
                    const href = `/portal/overview?${new URLSearchParams({ patient: p.id })}`;
                    const age = ageOf(p.birthDate);
                    return (
                      <li key={p.id}>
                        <a
                          href={href}
                          onClick={(e) => {
                            e.preventDefault();
                            navigate(href);
                          }}
                        >
                          {p.name}
                        </a>{' '}
                        <span className="meta">
                          {t('bornOn')} {formatDate(p.birthDate, 'short')}
                          {age !== undefined && ` (${age} ${t('years')})`}
                        </span>
                        {/* Drawn before her consent status is known, filled in when it is. */}
                        <p className="consent-status meta">
                          {consent &&
                            (consent.holders === 0
                              ? t('clientsConsentNone')
                              : `${plural(consent.shared, [t('kindOfDataOne'), t('kindOfDataOther')])} ${t('clientsConsentShared')} · ${plural(consent.withheld, [t('kindOfDataOne'), t('kindOfDataOther')])} ${t('clientsConsentWithheld')}`)}
                        </p>
                      </li>
                    );
                  })}
                </ul>
              )}
            </>
          );
        }}
      </ResultState>
    </>
  );
}
