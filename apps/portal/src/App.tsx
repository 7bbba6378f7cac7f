import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { translator, type Lang, type MessageKey, type Translate } from './i18n.ts';
import { authApi, sessionHint, type Me, type Principal } from './api/auth.ts';
import { setFormatLang } from './format.ts';
import {
  homeOf,
  mayOpen,
  MENUS,
  NAV_LABEL,
  pathOf,
  roleLabel,
  roleOf,
  routeOf,
  type Route,
} from './roles.ts';
import { LoginPage, EnrolledPage } from './pages/Login.tsx';
import { setHere } from './pages/TimelineList.tsx';
import { HomePage, LandingPage } from './pages/Home.tsx';
import { delegationApi } from './api/delegations.ts';
import { mandateAllows, mayApprove, type Mandate } from './mandate.ts';

/** Whether this node runs the demo (set by /portal/mode.js before the app starts). */
const DEMO = (window as { ketenlogMode?: { demo?: boolean } }).ketenlogMode?.demo === true;

// Each role's pages load when first opened: the landing and login pages need none of them.
const CHUNKS = {
  timeline: () => import('./pages/Timeline.tsx'),
  consent: () => import('./pages/Consent.tsx'),
  access: () => import('./pages/AccessTrail.tsx'),
  clients: () => import('./pages/Clients.tsx'),
  measurements: () => import('./pages/Measurements.tsx'),
  hours: () => import('./pages/Hours.tsx'),
  dashboard: () => import('./pages/Dashboard.tsx'),
  overview: () => import('./pages/Overview.tsx'),
  diary: () => import('./pages/Diary.tsx'),
  representative: () => import('./pages/Representative.tsx'),
  analyst: () => import('./pages/Analyst.tsx'),
} satisfies Partial<Record<Route, () => Promise<unknown>>>;
const TimelinePage = lazy(() => CHUNKS.timeline().then((m) => ({ default: m.TimelinePage })));
const ConsentPage = lazy(() => CHUNKS.consent().then((m) => ({ default: m.ConsentPage })));
const AccessTrailPage = lazy(() => CHUNKS.access().then((m) => ({ default: m.AccessTrailPage })));
const ClientsPage = lazy(() => CHUNKS.clients().then((m) => ({ default: m.ClientsPage })));
const MeasurementsPage = lazy(() => CHUNKS.measurements().then((m) => ({ default: m.MeasurementsPage })));
const HoursPage = lazy(() => CHUNKS.hours().then((m) => ({ default: m.HoursPage })));
const DashboardPage = lazy(() => CHUNKS.dashboard().then((m) => ({ default: m.DashboardPage })));
const OverviewPage = lazy(() => CHUNKS.overview().then((m) => ({ default: m.OverviewPage })));
const DiaryPage = lazy(() => CHUNKS.diary().then((m) => ({ default: m.DiaryPage })));
const RepresentativePage = lazy(() =>
  CHUNKS.representative().then((m) => ({ default: m.RepresentativePage })),
);
const AnalystPage = lazy(() => CHUNKS.analyst().then((m) => ({ default: m.AnalystPage })));

/**
 * A returning user's page starts loading with the app, beside the session check, from the role
 * this browser last logged in with (only a hint: what she may open still follows her session).
 */
function preloadPage(): void {
  const hinted = sessionHint.role();
  const parsed = routeOf(location.pathname);
  const route = parsed === 'home' ? hinted && homeOf(hinted) : parsed;
  if (route && route in CHUNKS) void CHUNKS[route as keyof typeof CHUNKS]().catch(() => undefined);
}
preloadPage();

/** The session as the portal knows it: not asked (no hint), asking, logged out, or logged in. */
type SessionState =
  | { kind: 'unknown' }
  | { kind: 'out' }
  | { kind: 'in'; principal: Principal; me: Me | undefined; mandate?: Mandate };

/** A representative's mandate for the client she acts for: her delegation in force, from the node. */
async function mandateOf(principal: Principal): Promise<Mandate | undefined> {
  if (principal.kind !== 'representative' || !principal.actingFor) return undefined;
  const list = await delegationApi.list();
  const now = Date.now();
  const held = list.kind === 'ok' ? (list.value.held ?? []) : [];
  return held.find(
    (d) =>
      d.client === principal.actingFor?.client &&
      d.revokedAt === undefined &&
      d.validFrom <= now &&
      now < d.validUntil,
  );
}

/** "Maria de Vries", "Carla Bakker · medisch specialist · Ziekenhuis Maasland". */
function whoText(t: Translate, principal: Principal, me: Me | undefined): string {
  if (principal.kind === 'professional') {
    const role = me?.role ? roleLabel(t, me.role) : undefined;
    return [me?.name ?? t('professionalRole'), role, me?.organisation?.name].filter(Boolean).join(' · ');
  }
  if (principal.kind === 'client') return me?.name ?? t('clientRole');
  if (principal.kind === 'representative')
    return me?.actingFor?.name
      ? `${t('representativeRole')} ${t('repFor')} ${me.actingFor.name}`
      : t('representativeRole');
  return '';
}

export function App(): ReactNode {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('lang') === 'en' ? 'en' : 'nl'));
  const [path, setPath] = useState(() => location.pathname);
  const [session, setSession] = useState<SessionState>(() =>
    sessionHint.present() ? { kind: 'unknown' } : { kind: 'out' },
  );
  const [menuOpen, setMenuOpen] = useState(false);
  setFormatLang(lang);
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

  const navigate = useCallback((to: string) => {
    history.pushState(null, '', to);
    setPath(location.pathname);
    setMenuOpen(false);
    scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, []);

  /** Asks the node who is logged in (only when this browser logged in here). */
  const refreshSession = useCallback(async (): Promise<SessionState> => {
    if (!sessionHint.present()) {
      setSession({ kind: 'out' });
      return { kind: 'out' };
    }
    // Both at once: one round trip before her home can load, not two (a phone's LCP, issue 17).
    const [answer, me] = await Promise.all([authApi.session(), authApi.me()]);
    if (answer.kind !== 'ok' || !answer.value?.principal) {
      sessionHint.clear();
      setSession({ kind: 'out' });
      return { kind: 'out' };
    }
    const role = roleOf(answer.value.principal);
    if (role) sessionHint.set(role);
    if (me.kind === 'ok') setHere(me.value.organisation?.name);
    const mandate = await mandateOf(answer.value.principal);
    const next: SessionState = {
      kind: 'in',
      principal: answer.value.principal,
      me: me.kind === 'ok' ? me.value : undefined,
      ...(mandate ? { mandate } : {}),
    };
    setSession(next);
    return next;
  }, []);
  useEffect(() => void refreshSession(), [refreshSession]);

  /** After a login: to the role's home. */
  const loggedIn = useCallback(() => {
    sessionHint.set();
    void refreshSession().then(() => navigate('/portal/'));
  }, [refreshSession, navigate]);
  const logout = (): void => {
    void authApi.logout().then(() => {
      sessionHint.clear();
      setSession({ kind: 'out' });
      navigate('/portal/');
    });
  };

  const principal = session.kind === 'in' ? session.principal : undefined;
  const mandate = session.kind === 'in' ? session.mandate : undefined;
  const role = roleOf(principal);
  /** What this role may open; a representative, what her mandate for her client allows. */
  const allowed = (r: Route): boolean =>
    role !== undefined && mayOpen(role, r) && (role !== 'representative' || mandateAllows(mandate, r));
  const parsed = routeOf(path);
  const route: Route | undefined = parsed === 'home' && role ? homeOf(role) : parsed;
  const link = (to: Route) => (event: { preventDefault(): void }) => {
    event.preventDefault();
    navigate(pathOf(to, role));
  };

  let page: ReactNode;
  if (session.kind === 'unknown') page = <p role="status">{t('loading')}</p>;
  else if (!route) page = <NotFound t={t} onHome={link('home')} />;
  else if (route === 'login')
    page = role ? <AlreadyIn t={t} onHome={link('home')} /> : <LoginPage t={t} onLogin={loggedIn} />;
  else if (route === 'enrolled') page = <EnrolledPage t={t} onLogin={loggedIn} />;
  else if (!role || !principal)
    page =
      route === 'home' ? (
        <LandingPage t={t} onLogin={link('login')} />
      ) : (
        <LoginFirst t={t} onLogin={link('login')} route={route} />
      );
  else if (!mayOpen(role, route))
    page = <Refused t={t} title="notForRoleTitle" text="notForRole" onHome={link('home')} />;
  else if (!allowed(route))
    page = mandate ? (
      <Refused t={t} title="notInMandateTitle" text="notInMandate" onHome={link('home')} />
    ) : (
      <Refused t={t} title="notActingTitle" text="notActing" onHome={link('home')} />
    );
  else if (route === 'home')
    page = (
      <HomePage
        t={t}
        role={role}
        me={session.kind === 'in' ? session.me : undefined}
        mandate={mandate}
        go={link}
      />
    );
  else if (route === 'timeline') page = <TimelinePage t={t} own={principal.kind === 'client'} />;
  else if (route === 'clients') page = <ClientsPage t={t} navigate={navigate} />;
  else if (route === 'measurements') page = <MeasurementsPage t={t} />;
  else if (route === 'hours')
    page = (
      <HoursPage t={t} principal={principal} approve={principal.kind === 'client' || mayApprove(mandate)} />
    );
  else if (route === 'dashboard') page = <DashboardPage t={t} principal={principal} />;
  else if (route === 'access') page = <AccessTrailPage t={t} principal={principal} />;
  else if (route === 'diary') page = <DiaryPage t={t} principal={principal} />;
  else if (route === 'analyst') page = <AnalystPage t={t} principal={principal} />;
  else if (route === 'representative')
    page = (
      <RepresentativePage
        t={t}
        principal={principal}
        actingForName={session.kind === 'in' ? session.me?.actingFor?.name : undefined}
        onSession={() => void refreshSession()}
      />
    );
  else if (route === 'overview')
    page = <OverviewPage t={t} patient={new URLSearchParams(location.search).get('patient')} />;
  else page = <ConsentPage t={t} />;

  const menu = role ? MENUS[role].filter(allowed) : [];
  return (
    <>
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      {DEMO && (
        <p className="demo-banner" role="note">
          {t('demoBanner')}
        </p>
      )}
      <header>
        <div className="bar">
          <a className="brand" href="/portal/" onClick={link('home')}>
            {t('appName')}
          </a>
          <span className="session" aria-live="polite">
            {principal ? (
              <>
                <span className="sr-only">{t('loggedInAs')} </span>
                {whoText(t, principal, session.kind === 'in' ? session.me : undefined)}
              </>
            ) : session.kind === 'out' ? (
              t('notLoggedIn')
            ) : (
              ''
            )}
          </span>
          <button
            type="button"
            lang={lang === 'nl' ? 'en' : 'nl'}
            aria-label={t('languageLabel')}
            onClick={() => setLang(lang === 'nl' ? 'en' : 'nl')}
          >
            {t('language')}
          </button>
          {principal ? (
            <button type="button" onClick={logout}>
              {t('logout')}
            </button>
          ) : (
            route !== 'login' && (
              <a className="button" href="/portal/login" onClick={link('login')}>
                {t('navLogin')}
              </a>
            )
          )}
        </div>
        {menu.length > 1 && (
          <nav aria-label={t('mainMenu')}>
            <button
              type="button"
              className="menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="menu"
              onClick={() => setMenuOpen(!menuOpen)}
            >
              {t('menu')} <span aria-hidden="true">{menuOpen ? '▴' : '▾'}</span>
            </button>
            <ul id="menu" className={menuOpen ? 'open' : undefined}>
              {menu.map((r) => (
                <li key={r}>
                  <a href={pathOf(r, role)} aria-current={route === r ? 'page' : undefined} onClick={link(r)}>
                    {t(
                      role === 'representative' && r === 'timeline'
                        ? 'navTimelineRep'
                        : NAV_LABEL[r as keyof typeof NAV_LABEL],
                    )}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">{t('loading')}</p>}>{page}</Suspense>
      </main>
    </>
  );
}

function NotFound({
  t,
  onHome,
}: {
  t: Translate;
  onHome: (e: { preventDefault(): void }) => void;
}): ReactNode {
  return (
    <>
      <h1>{t('notFound')}</h1>
      <p>
        <a href="/portal/" onClick={onHome}>
          {t('toHome')}
        </a>
      </p>
    </>
  );
}

/** A page she may not open here (not for her role, or not in her mandate): why, and the way home. */
function Refused({
  t,
  title,
  text,
  onHome,
}: {
  t: Translate;
  title: MessageKey;
  text: MessageKey;
  onHome: (e: { preventDefault(): void }) => void;
}): ReactNode {
  return (
    <>
      <h1>{t(title)}</h1>
      <p className="notice">{t(text)}</p>
      <p>
        <a href="/portal/" onClick={onHome}>
          {t('toHome')}
        </a>
      </p>
    </>
  );
}

function AlreadyIn({
  t,
  onHome,
}: {
  t: Translate;
  onHome: (e: { preventDefault(): void }) => void;
}): ReactNode {
  return (
    <>
      <h1>{t('loginTitle')}</h1>
      <p className="notice">
        {t('alreadyLoggedIn')}{' '}
        <a href="/portal/" onClick={onHome}>
          {t('toHome')}
        </a>
      </p>
    </>
  );
}

const TITLES: Partial<Record<Route, MessageKey>> = {
  timeline: 'timelineTitle',
  measurements: 'measurementsTitle',
  diary: 'diaryTitle',
  consent: 'consentTitle',
  access: 'accessTitle',
  representative: 'repTitle',
  hours: 'hoursTitle',
  dashboard: 'dashboardTitle',
  clients: 'clientsTitle',
  analyst: 'analystTitle',
  overview: 'overviewTitle',
};

/** A page that needs a login, opened while logged out: its title and the way in, no data calls. */
function LoginFirst({
  t,
  onLogin,
  route,
}: {
  t: Translate;
  onLogin: (e: { preventDefault(): void }) => void;
  route: Route;
}): ReactNode {
  const title = TITLES[route];
  // An invite link for a representative: the code waits in this tab while she logs in.
  const code = new URLSearchParams(location.search).get('invite');
  useEffect(() => {
    if (code) sessionStorage.setItem('ketenlog-invite', code);
  }, [code]);
  return (
    <>
      <h1>{title ? t(title) : t('loginTitle')}</h1>
      <p className="notice">
        {t(code ? 'repLoginAs' : 'loginNeeded')}{' '}
        <a href="/portal/login" onClick={onLogin}>
          {t('navLogin')}
        </a>
      </p>
    </>
  );
}
