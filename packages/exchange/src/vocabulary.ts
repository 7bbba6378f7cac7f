// The words a consent is made of that the portal shows too: purposes and the organisation types
// that give care. No runtime imports, so the browser app can import this file as it is.
import type { OrganisationType } from '@ketenlog/region';

export const PURPOSES = ['treatment', 'billing', 'research'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Organisation types that give care; the others (statistics office, RSO) are outside care. */
export const CARE_TYPES: readonly OrganisationType[] = [
  'kraamzorg',
  'verloskunde',
  'huisarts',
  'ziekenhuis',
  'apotheek',
  'vvt',
];
