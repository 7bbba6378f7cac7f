// The demo region's persons for the demo identity page: a client of Kraamzorg De Wieg and her
// partner, with test BSNs (they pass the 11-proef but belong to no one) and the pseudonym the demo
// logbook uses for the client. DEMO ONLY.
import type { DemoPerson } from './demo-digid.ts';
import { staticPersonDirectory, type PersonDirectory } from './identity-check.ts';

export const DEMO_PERSONS: readonly (DemoPerson & {
  readonly holder: string;
  readonly role: 'client' | 'delegate';
})[] = [
  { bsn: '999990019', name: 'Maria de Vries (cliënt)', holder: 'pMaria-0000000000000001', role: 'client' },
  {
    bsn: '999912343',
    name: 'Sam de Vries (partner van Maria)',
    holder: 'rep:partner-of-maria',
    role: 'delegate',
  },
];

/** The demo persons as the enrolling organisation's directory. */
export function demoPersonDirectory(): PersonDirectory {
  return staticPersonDirectory(
    Object.fromEntries(DEMO_PERSONS.map((p) => [p.bsn, { holder: p.holder, role: p.role }])),
  );
}
