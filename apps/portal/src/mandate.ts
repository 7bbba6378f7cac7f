// What a representative may do for the client she acts for: the statement kinds of the delegation
// the client signed (DESIGN.md, delegation). Reading the client's record follows a mandate for her
// consent choices (packages/node access/representatives.ts); approving hours needs its own kind;
// erasing her data, keeping her diary and measurements, and authorising someone else stay the
// client's own, whatever the mandate says.
import { KIND_CARELOG_APPROVAL, KIND_CONSENT } from '@ketenlog/logbook/kinds';
import type { MessageKey } from './i18n.ts';
import type { Route } from './roles.ts';

/** The kinds a delegation may carry (packages/region CLIENT_ONLY_KINDS). */
export type MandateKind = typeof KIND_CONSENT | typeof KIND_CARELOG_APPROVAL;

/** A representative's mandate for the client she acts for (undefined: she acts for no one yet). */
export interface Mandate {
  readonly kinds: readonly string[];
  readonly validUntil: number;
}

/** Pages that need a kind in her mandate; the others (home, hours to view, who looked) need only that she acts for someone. */
const NEEDS: Partial<Record<Route, MandateKind>> = { timeline: KIND_CONSENT, consent: KIND_CONSENT };
/** Pages she may open before she acts for anyone. */
const BEFORE_ACTING: readonly Route[] = ['home', 'representative'];

export function mandateAllows(mandate: Mandate | undefined, route: Route): boolean {
  if (!mandate) return BEFORE_ACTING.includes(route);
  const needs = NEEDS[route];
  return needs === undefined || mandate.kinds.includes(needs);
}

export const mayApprove = (mandate: Mandate | undefined): boolean =>
  mandate?.kinds.includes(KIND_CARELOG_APPROVAL) === true;

/** What she may do for her client, each with the page it is done on. */
export function mandateTasks(mandate: Mandate): { route: Route; text: MessageKey }[] {
  const reads = mandate.kinds.includes(KIND_CONSENT);
  return [
    ...(reads ? [{ route: 'timeline' as const, text: 'mandateTimeline' as const }] : []),
    { route: 'hours', text: mayApprove(mandate) ? 'mandateApprove' : 'mandateHoursView' },
    ...(reads ? [{ route: 'consent' as const, text: 'mandateConsent' as const }] : []),
    { route: 'access', text: 'mandateAccess' },
  ];
}

/** What she may not do: what her mandate leaves out, and what stays the client's own. */
export function mandateLimits(mandate: Mandate): MessageKey[] {
  return [
    ...(mandate.kinds.includes(KIND_CONSENT) ? [] : (['mandateNoRecord'] as const)),
    ...(mayApprove(mandate) ? [] : (['mandateNoApprove'] as const)),
    'mandateNoErase',
    'mandateNoDiary',
    'mandateNoDelegate',
  ];
}
