import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { translator, type Lang, type Translate } from './i18n.ts';
import { authApi, type Session } from './api/auth.ts';
import type { ApiResult } from './api/http.ts';
import { LoginPage } from './pages/Login.tsx';
import { TimelinePage } from './pages/Timeline.tsx';
import { ConsentPage } from './pages/Consent.tsx';
import { AccessTrailPage } from './pages/AccessTrail.tsx';
import { ClientsPage } from './pages/Clients.tsx';
import { MeasurementsPage } from './pages/Measurements.tsx';
import { HoursPage } from './pages/Hours.tsx';
import { DashboardPage } from './pages/Dashboard.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { DiaryPage } from './pages/Diary.tsx';
import { RepresentativePage } from './pages/Representative.tsx';
import { AnalystPage } from './pages/Analyst.tsx';

type Route =
  | 'timeline'
  | 'measurements'
  | 'diary'
  | 'consent'
  | 'representative'
  | 'analyst'
  | 'access'
  | 'hours'
  | 'dashboard'
  | 'clients'
  | 'overview'
  | 'login';
const ROUTES: Route[] = [
  'timeline',
  'measurements',
  'diary',
  'consent',
  'access',
  'representative',
  'analyst',
  'hours',
  'dashboard',
  'clients',
  'overview',
  'login',
];

function routeOf(path: string): Route | undefined {
  const tail = path.replace(/^\/portal\/?/, '').replace(/\/$/, '');
  if (tail === '') return 'timeline';
  return ROUTES.find((r) => r === tail);
}

export function App(): ReactNode {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('lang') === 'en' ? 'en' : 'nl'));
  const [path, setPath] = useState(() => location.pathname);
  const [session, setSession] = useState<ApiResult<Session> | undefined>();
  const t: Translate = translator(lang);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('lang', lang);
  }, [lang]);
  useEffect(() => {
    const onPop = (): void => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const refreshSession = useCallback(() => {
    void authApi.session().then(setSession);
  }, []);
  useEffect(refreshSession, [refreshSession]);

  const go = (route: Route) => (event: { preventDefault(): void }) => {
    event.preventDefault();
    history.pushState(null, '', `/portal/${route === 'timeline' ? '' : route}`);
    setPath(location.pathname);
  };
  const route = routeOf(path);
  const principal = session?.kind === 'ok' ? session.value?.principal : undefined;
  const loggedIn = principal !== undefined;
  const who =
    principal?.kind === 'professional'
      ? `${principal.id.replace(/^pro:/, '')}${principal.actingAs ? ` (${principal.actingAs.role})` : ''}`
      : principal?.kind === 'client'
        ? t('clientRole')
        : principal?.kind === 'representative'
          ? `${t('representativeRole')}${principal.actingFor ? ` (${t('actingForClient')})` : ''}`
          : (principal?.kind ?? '');

  let page: ReactNode;
  if (!route) page = <p>{t('notFound')}</p>;
  else if (route === 'login') page = <LoginPage t={t} onLogin={refreshSession} />;
  else if (route === 'timeline') page = <TimelinePage t={t} />;
  else if (route === 'clients') page = <ClientsPage t={t} />;
  else if (route === 'measurements') page = <MeasurementsPage t={t} />;
  else if (route === 'hours') page = <HoursPage t={t} principal={principal} />;
  else if (route === 'dashboard') page = <DashboardPage t={t} principal={principal} />;
  else if (route === 'access') page = <AccessTrailPage t={t} />;
  else if (route === 'diary') page = <DiaryPage t={t} principal={principal} />;
  else if (route === 'analyst') page = <AnalystPage t={t} />;
  else if (route === 'representative')
    page = <RepresentativePage t={t} principal={principal} onSession={refreshSession} />;
  else if (route === 'overview')
    page = <OverviewPage t={t} patient={new URLSearchParams(location.search).get('patient')} />;
  else page = <ConsentPage t={t} />;

  const nav: [Route, Parameters<Translate>[0]][] = [
    ['timeline', 'navTimeline'],
    ['measurements', 'navMeasurements'],
    ['diary', 'navDiary'],
    ['consent', 'navConsent'],
    ['access', 'navAccess'],
    ['representative', 'navRepresentative'],
    ['hours', 'navHours'],
    ['dashboard', 'navDashboard'],
    ['clients', 'navClients'],
    ['analyst', 'navAnalyst'],
  ];
  return (
    <>
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      <header>
        <div className="bar">
          <strong className="brand">{t('appName')}</strong>
          <span className="session" aria-live="polite">
            {loggedIn ? `${t('loggedInAs')} ${who}` : t('notLoggedIn')}
          </span>
          <button
            type="button"
            lang={lang === 'nl' ? 'en' : 'nl'}
            aria-label={t('languageLabel')}
            onClick={() => setLang(lang === 'nl' ? 'en' : 'nl')}
          >
            {t('language')}
          </button>
          {loggedIn ? (
            <button type="button" onClick={() => void authApi.logout().then(refreshSession)}>
              {t('logout')}
            </button>
          ) : (
            <a href="/portal/login" onClick={go('login')}>
              {t('navLogin')}
            </a>
          )}
        </div>
        <nav aria-label="Hoofdmenu">
          <ul>
            {nav.map(([r, key]) => (
              <li key={r}>
                <a
                  href={`/portal/${r === 'timeline' ? '' : r}`}
                  aria-current={route === r ? 'page' : undefined}
                  onClick={go(r)}
                >
                  {t(key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
