import { useEffect, useState, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { Me } from '../api/auth.ts';
import { carelogApi } from '../api/carelog.ts';
import { formatDate, plural } from '../format.ts';
import { mandateLimits, mandateTasks, mayApprove, type Mandate } from '../mandate.ts';
import type { Role, Route } from '../roles.ts';
import { MENUS, pathOf } from '../roles.ts';

type Go = (route: Route) => (event: { preventDefault(): void }) => void;

/** Logged out: what the portal is and the way in. Makes no data calls at all. */
export function LandingPage({
  t,
  onLogin,
}: {
  t: Translate;
  onLogin: (e: { preventDefault(): void }) => void;
}): ReactNode {
  return (
    <>
      <h1>{t('landingTitle')}</h1>
      <p className="lead">{t('landingIntro')}</p>
      <ul className="tasks">
        <li>
          <h2>{t('landingClient')}</h2>
          <p>{t('landingClientBody')}</p>
        </li>
        <li>
          <h2>{t('landingProfessional')}</h2>
          <p>{t('landingProfessionalBody')}</p>
        </li>
      </ul>
      <p>
        <a className="button primary" href="/portal/login" onClick={onLogin}>
          {t('navLogin')}
        </a>
      </p>
    </>
  );
}

const TASK: Partial<Record<Route, [MessageKey, MessageKey]>> = {
  timeline: ['navTimeline', 'taskTimeline'],
  hours: ['navHours', 'taskHours'],
  measurements: ['navMeasurements', 'taskMeasurements'],
  diary: ['navDiary', 'taskDiary'],
  consent: ['navConsent', 'taskConsent'],
  access: ['navAccess', 'taskAccess'],
  representative: ['navRepresentative', 'taskRepresentative'],
};

/** A client's (or her representative's) home: a greeting and her tasks, the open approvals first. */
export function HomePage({
  t,
  role,
  me,
  mandate,
  go,
}: {
  t: Translate;
  role: Role;
  me: Me | undefined;
  mandate: Mandate | undefined;
  go: Go;
}): ReactNode {
  const [pending, setPending] = useState<number | undefined>();
  const acting = role === 'client' || me?.actingFor !== undefined;
  useEffect(() => {
    if (!acting) return;
    void carelogApi.indications().then((r) => {
      if (r.kind === 'ok')
        setPending(
          r.value.indications.reduce((n, o) => n + o.entries.filter((e) => e.status === 'pending').length, 0),
        );
    });
  }, [acting]);
  const name = role === 'client' ? me?.name : undefined;
  const tasks = MENUS[role].filter((r) => r !== 'home' && TASK[r]);
  const approves = role === 'client' || mayApprove(mandate);
  return (
    <>
      <h1>{name ? `${t('welcome')}, ${name}` : t('welcomePlain')}</h1>
      {role === 'representative' &&
        (me?.actingFor && mandate ? (
          <p className="notice">
            {t('repActingForName')} <strong>{me.actingFor.name ?? t('repClient')}</strong>
            {me.actingFor.birthDate &&
              ` (${t('bornOn')} ${formatDate(me.actingFor.birthDate, 'short')})`}. {t('mandateUntil')}{' '}
            {formatDate(new Date(mandate.validUntil))}.
          </p>
        ) : (
          <p className="notice">
            {t('repChooseFirst')}{' '}
            <a href={pathOf('representative', role)} onClick={go('representative')}>
              {t('navRepresentative')}
            </a>
          </p>
        ))}
      {approves && pending !== undefined && pending > 0 && (
        <p className="notice todo">
          <strong>{plural(pending, [t('visitToApproveOne'), t('visitToApproveOther')])}</strong>{' '}
          <a href={pathOf('hours', role)} onClick={go('hours')}>
            {t('approveNow')}
          </a>
        </p>
      )}
      {role === 'representative' ? (
        mandate && <MandateSummary t={t} mandate={mandate} go={go} />
      ) : (
        <ul className="tasks">
          {tasks.map((r) => {
            const [title, body] = TASK[r]!;
            return (
              <li key={r}>
                <h2>
                  <a href={pathOf(r, role)} onClick={go(r)}>
                    {t(title)}
                  </a>
                </h2>
                <p>{t(body)}</p>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

/** What a representative may do for her client (each a link to where it is done), and what not. */
function MandateSummary({ t, mandate, go }: { t: Translate; mandate: Mandate; go: Go }): ReactNode {
  return (
    <>
      <section aria-labelledby="mandate-may">
        <h2 id="mandate-may">{t('mandateMay')}</h2>
        <ul className="tasks">
          {mandateTasks(mandate).map(({ route, text }) => (
            <li key={route}>
              <a href={pathOf(route, 'representative')} onClick={go(route)}>
                {t(text)}
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="mandate-not" className="limits">
        <h2 id="mandate-not">{t('mandateMayNot')}</h2>
        <ul>
          {mandateLimits(mandate).map((key) => (
            <li key={key}>{t(key)}</li>
          ))}
        </ul>
      </section>
    </>
  );
}
