import type { ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import { ageOf, formatDate } from '../format.ts';
import { formatBsn, type PatientView } from '../patient.ts';

/** The patient banner on every professional's view of a client: name, birth date, age, BSN. */
export function PatientBanner({ t, patient }: { t: Translate; patient: PatientView }): ReactNode {
  const age = ageOf(patient.birthDate);
  return (
    <section className="patient-banner" aria-label={t('patientBanner')}>
      <p className="patient-name">{patient.name}</p>
      <dl>
        <div>
          <dt>{t('birthDate')}</dt>
          <dd>
            {formatDate(patient.birthDate, 'short')}
            {age !== undefined && ` (${age} ${t('years')})`}
          </dd>
        </div>
        {patient.bsn && (
          <div>
            <dt>{t('bsn')}</dt>
            <dd>{formatBsn(patient.bsn)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}
