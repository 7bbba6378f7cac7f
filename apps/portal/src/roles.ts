// Who uses the portal and what each may use: one home per role with its tasks, and a menu with only
// the pages the role can do something on (issue 17, finding 1).
import { careRoleOf } from '@ketenlog/carelog/care-roles';
import { isMessageKey, type MessageKey, type Translate } from './i18n.ts';
import type { Principal } from './api/auth.ts';

export type Role =
  'client' | 'representative' | 'carer' | 'administration' | 'insurer' | 'researcher' | 'professional';

export type Route =
  | 'home'
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
  | 'login'
  | 'enrolled';

/** The role a session works in; a professional's follows her role at this organisation. */
export function roleOf(principal: Principal | undefined): Role | undefined {
  if (!principal || principal.kind === 'enrolling') return undefined;
  if (principal.kind === 'client') return 'client';
  if (principal.kind === 'representative') return 'representative';
  const role = principal.actingAs?.role;
  const care = careRoleOf(role);
  if (care === 'carer') return 'carer';
  if (care === 'assessor') return 'insurer';
  // A midwife may also keep the files, but her home is her clients' (the professional's).
  if (role === 'administratie') return 'administration';
  switch (role) {
    case 'analist':
    case 'privacyfunctionaris':
      return 'researcher';
    default:
      return 'professional';
  }
}

/** Each role's menu, its home first (the home's page is shown at /portal/). */
export const MENUS: Record<Role, readonly Route[]> = {
  client: ['home', 'timeline', 'hours', 'measurements', 'diary', 'consent', 'access', 'representative'],
  // What of it she sees follows her mandate for the client she acts for (mandate.ts).
  representative: ['home', 'timeline', 'hours', 'consent', 'access', 'representative'],
  carer: ['hours'],
  administration: ['dashboard', 'clients'],
  insurer: ['dashboard', 'analyst'],
  researcher: ['analyst'],
  professional: ['clients', 'analyst'],
};

export const isRole = (value: string): value is Role => Object.hasOwn(MENUS, value);

/** The page a role lands on after logging in (/portal/). */
export const homeOf = (role: Role): Route => MENUS[role][0]!;

/** Pages a role may open that are not in its menu (reached from another page). */
const EXTRA: Partial<Record<Role, readonly Route[]>> = {
  professional: ['overview'],
  administration: ['overview'],
};

export function mayOpen(role: Role, route: Route): boolean {
  return MENUS[role].includes(route) || (EXTRA[role] ?? []).includes(route);
}

export const NAV_LABEL: Record<Exclude<Route, 'login' | 'enrolled' | 'overview'>, MessageKey> = {
  home: 'navHome',
  timeline: 'navTimeline',
  measurements: 'navMeasurements',
  diary: 'navDiary',
  consent: 'navConsent',
  access: 'navAccess',
  representative: 'navRepresentative',
  hours: 'navHours',
  dashboard: 'navDashboard',
  clients: 'navClients',
  analyst: 'navAnalyst',
};

/** The URL of a route; a role's home is /portal/. */
export function pathOf(route: Route, role: Role | undefined): string {
  if (route === 'home' || (role && homeOf(role) === route)) return '/portal/';
  return `/portal/${route}`;
}

export function routeOf(path: string): Route | 'home' | undefined {
  const tail = path.replace(/^\/portal\/?/, '').replace(/\/$/, '');
  if (tail === '') return 'home';
  const routes: Route[] = [
    'timeline',
    'measurements',
    'diary',
    'consent',
    'representative',
    'analyst',
    'access',
    'hours',
    'dashboard',
    'clients',
    'overview',
    'login',
    'enrolled',
  ];
  return routes.find((r) => r === tail);
}

/** A professional's role in words ("medisch specialist"); an unknown role as it is. */
export function roleLabel(t: Translate, role: string): string {
  const key = `role-${role}`;
  return isMessageKey(key) ? t(key) : role;
}
