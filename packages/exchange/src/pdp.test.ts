// Every precedence rule of the policy decision point, as a table.
import { applyConsentStatement, type ConsentRegister } from '@ketenlog/region';
import type { StatementOf } from '@ketenlog/logbook';
import { describe, expect, it } from 'vitest';
import { decideAccess, type AccessRequest, type DecisionBasis } from './pdp.ts';

const MARIA = 'pMaria-0000000000000001';
const KRAAMZORG = '11110001';
const HOSPITAL = '11110003';
const INSURER = '11110004';
const STATISTICS = '11110005';

interface Consent {
  readonly decision: 'grant' | 'objection' | 'revocation';
  readonly grantee?: string;
  readonly category?: string;
  readonly purpose?: string;
  readonly revokes?: string;
}

/** A register holding Maria's consents, in this order on one log (hashes c0, c1, …). */
function register(consents: readonly Consent[]): ConsentRegister {
  const reg: ConsentRegister = new Map();
  consents.forEach((body, index) => {
    const statement = {
      kind: 'consent',
      v: 1,
      author: 'maria-key',
      iat: 1_790_000_000 + index,
      subject: MARIA,
      body,
    } as unknown as StatementOf<'consent'>;
    applyConsentStatement(reg, statement, `c${index}`, { iat: 1_790_000_000 + index, origin: 'log', index });
  });
  return reg;
}

const hospitalDoctor: AccessRequest['requester'] = {
  ura: HOSPITAL,
  type: 'ziekenhuis',
  role: 'medisch-specialist',
};
const request = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  requester: hospitalDoctor,
  holder: KRAAMZORG,
  subject: MARIA,
  category: 'medication',
  purpose: 'treatment',
  ...over,
});

const cases: {
  readonly rule: string;
  readonly consents: readonly Consent[];
  readonly request: AccessRequest;
  readonly permit: boolean;
  readonly basis: DecisionBasis;
  readonly consent?: string;
}[] = [
  {
    rule: 'treatment inside the holding organisation is implied',
    consents: [],
    request: request({ requester: { ura: KRAAMZORG, type: 'kraamzorg', role: 'kraamverzorgende' } }),
    permit: true,
    basis: 'own-organisation',
  },
  {
    rule: 'another organisation needs consent',
    consents: [],
    request: request(),
    permit: false,
    basis: 'no-consent',
  },
  {
    rule: 'a grant to the organisation permits',
    consents: [
      { decision: 'grant', grantee: `ura:${HOSPITAL}`, category: 'medication', purpose: 'treatment' },
    ],
    request: request(),
    permit: true,
    basis: 'consent',
    consent: 'c0',
  },
  {
    rule: 'a grant covers only its category',
    consents: [{ decision: 'grant', grantee: `ura:${HOSPITAL}`, category: 'laboratory' }],
    request: request(),
    permit: false,
    basis: 'no-consent',
  },
  {
    rule: 'a grant covers only its purpose',
    consents: [{ decision: 'grant', grantee: `ura:${HOSPITAL}`, purpose: 'research' }],
    request: request(),
    permit: false,
    basis: 'no-consent',
  },
  {
    rule: 'a grant to the organisation type permits',
    consents: [{ decision: 'grant', grantee: 'type:ziekenhuis', purpose: 'treatment' }],
    request: request(),
    permit: true,
    basis: 'consent',
  },
  {
    rule: 'a grant to the role permits',
    consents: [{ decision: 'grant', grantee: 'role:medisch-specialist' }],
    request: request(),
    permit: true,
    basis: 'consent',
  },
  {
    rule: 'the more specific "who" wins: an objection to the organisation beats a grant to its type',
    consents: [
      { decision: 'grant', grantee: 'type:ziekenhuis' },
      { decision: 'objection', grantee: `ura:${HOSPITAL}` },
    ],
    request: request(),
    permit: false,
    basis: 'objection',
    consent: 'c1',
  },
  {
    rule: 'the more specific "who" wins: a grant to the organisation beats an objection for everyone',
    consents: [
      { decision: 'objection', category: 'medication' },
      { decision: 'grant', grantee: `ura:${HOSPITAL}`, category: 'medication' },
    ],
    request: request(),
    permit: true,
    basis: 'consent',
    consent: 'c1',
  },
  {
    rule: 'a role is more specific than a type',
    consents: [
      { decision: 'objection', grantee: 'type:ziekenhuis' },
      { decision: 'grant', grantee: 'role:medisch-specialist' },
    ],
    request: request(),
    permit: true,
    basis: 'consent',
  },
  {
    rule: 'with the same "who", a named category is more specific',
    consents: [
      { decision: 'objection', grantee: `ura:${HOSPITAL}` },
      { decision: 'grant', grantee: `ura:${HOSPITAL}`, category: 'medication' },
    ],
    request: request(),
    permit: true,
    basis: 'consent',
  },
  {
    rule: 'then a named purpose is more specific',
    consents: [
      { decision: 'grant', grantee: `ura:${HOSPITAL}`, category: 'medication' },
      { decision: 'objection', grantee: `ura:${HOSPITAL}`, category: 'medication', purpose: 'treatment' },
    ],
    request: request(),
    permit: false,
    basis: 'objection',
  },
  {
    rule: 'an objection wins a tie',
    consents: [
      { decision: 'objection', grantee: 'type:ziekenhuis', category: 'medication' },
      { decision: 'grant', grantee: 'type:ziekenhuis', purpose: 'treatment' },
    ],
    request: request(),
    permit: false,
    basis: 'objection',
  },
  {
    rule: 'a later decision of the same scope replaces the earlier',
    consents: [
      { decision: 'objection', grantee: `ura:${HOSPITAL}`, category: 'medication' },
      { decision: 'grant', grantee: `ura:${HOSPITAL}`, category: 'medication' },
    ],
    request: request(),
    permit: true,
    basis: 'consent',
    consent: 'c1',
  },
  {
    rule: 'a revoked grant counts no more',
    consents: [
      { decision: 'grant', grantee: `ura:${HOSPITAL}` },
      { decision: 'revocation', revokes: 'c0' },
    ],
    request: request(),
    permit: false,
    basis: 'no-consent',
  },
  {
    rule: 'an objection overrides even the own organisation',
    consents: [{ decision: 'objection', grantee: `ura:${KRAAMZORG}`, category: 'medication' }],
    request: request({ requester: { ura: KRAAMZORG, type: 'kraamzorg', role: 'kraamverzorgende' } }),
    permit: false,
    basis: 'objection',
  },
  {
    rule: 'the own organisation needs consent for other purposes than treatment',
    consents: [],
    request: request({
      requester: { ura: KRAAMZORG, type: 'kraamzorg', role: 'administratie' },
      purpose: 'research',
    }),
    permit: false,
    basis: 'no-consent',
  },
  {
    rule: 'a party outside care is refused by default',
    consents: [],
    request: request({
      requester: { ura: STATISTICS, type: 'statistiek', role: 'analist' },
      purpose: 'research',
    }),
    permit: false,
    basis: 'outside-care',
  },
  {
    rule: 'a party outside care with an explicit grant is permitted',
    consents: [{ decision: 'grant', grantee: `ura:${STATISTICS}`, purpose: 'research' }],
    request: request({
      requester: { ura: STATISTICS, type: 'statistiek', role: 'analist' },
      purpose: 'research',
    }),
    permit: true,
    basis: 'consent',
  },
  {
    rule: 'the insurer sees hours for billing only with consent for billing',
    consents: [{ decision: 'grant', grantee: `ura:${INSURER}`, category: 'kraamzorg', purpose: 'billing' }],
    request: request({
      requester: { ura: INSURER, type: 'zorgverzekeraar', role: 'declaratiebeoordelaar' },
      category: 'kraamzorg',
      purpose: 'billing',
    }),
    permit: true,
    basis: 'consent',
  },
  {
    rule: 'delegations are not data consent',
    consents: [{ decision: 'grant', grantee: `ura:${HOSPITAL}`, purpose: 'delegation' }],
    request: request(),
    permit: false,
    basis: 'no-consent',
  },
  {
    rule: 'break-the-glass with a reason permits treatment, even against an objection, and must be shown',
    consents: [{ decision: 'objection', grantee: `ura:${HOSPITAL}` }],
    request: request({ breakTheGlass: { reason: 'Bewusteloos binnengebracht op de SEH' } }),
    permit: true,
    basis: 'break-the-glass',
  },
  {
    rule: 'break-the-glass without a reason is refused',
    consents: [],
    request: request({ breakTheGlass: { reason: '  ' } }),
    permit: false,
    basis: 'invalid',
  },
  {
    rule: 'break-the-glass is not for billing or research',
    consents: [],
    request: request({ breakTheGlass: { reason: 'spoed' }, purpose: 'research' }),
    permit: false,
    basis: 'invalid',
  },
];

describe('the policy decision point', () => {
  it.each(cases)('$rule', ({ consents, request: req, permit, basis, consent }) => {
    const decision = decideAccess(req, register(consents));
    expect(decision).toMatchObject({ permit, basis });
    expect(decision.reason).toMatch(/\S/);
    if (consent) expect(decision.consent).toBe(consent);
    if (basis === 'break-the-glass') expect(decision.mustNotify).toBe(true);
  });

  it('lets only the clinical roles the region lists break the glass: not care administration, not an insurer', () => {
    const glass = { breakTheGlass: { reason: 'Bewusteloos binnengebracht op de SEH' } };
    const rules = { breakTheGlassRoles: new Set(['medisch-specialist', 'huisarts']) };
    const as = (role: string, type: AccessRequest['requester']['type'] = 'ziekenhuis') =>
      decideAccess(request({ ...glass, requester: { ura: HOSPITAL, type, role } }), register([]), rules);
    expect(as('medisch-specialist')).toMatchObject({ permit: true, basis: 'break-the-glass' });
    expect(as('huisarts', 'huisarts')).toMatchObject({ permit: true, basis: 'break-the-glass' });
    for (const refused of [
      as('administratie'),
      as('declaratiebeoordelaar', 'zorgverzekeraar'),
      as('analist'),
    ])
      expect(refused).toMatchObject({ permit: false, basis: 'invalid' });
    expect(as('administratie').reason).toContain('administratie');
    // A region that lists no one: nobody breaks the glass.
    expect(decideAccess(request(glass), register([]), { breakTheGlassRoles: new Set() })).toMatchObject({
      permit: false,
    });
  });

  it('refuses an unknown purpose', () => {
    const decision = decideAccess({ ...request(), purpose: 'marketing' as never }, register([]));
    expect(decision).toMatchObject({ permit: false, basis: 'invalid' });
  });
});

// The region's signed consents combined with the national consent service's answer (Mitz): the
// more specific decision wins, and an objection wins a tie (GF Consent, "wie ziet wat").
describe('the policy decision point with the national answer (Mitz)', () => {
  const hospital = 'type:ziekenhuis';
  const combined: {
    readonly rule: string;
    readonly consents: readonly Consent[];
    readonly national: 'permit' | 'deny';
    readonly request?: Partial<AccessRequest>;
    readonly permit: boolean;
    readonly basis: DecisionBasis;
    readonly viaMitz?: boolean;
  }[] = [
    {
      rule: 'Mitz alone permits: a permit through Mitz',
      consents: [],
      national: 'permit',
      permit: true,
      basis: 'consent',
      viaMitz: true,
    },
    {
      rule: 'Mitz alone denies: no access',
      consents: [],
      national: 'deny',
      permit: false,
      basis: 'objection',
      viaMitz: true,
    },
    {
      rule: 'her region grant naming the organisation wins over a Mitz deny (more specific)',
      consents: [{ decision: 'grant', grantee: `ura:${HOSPITAL}` }],
      national: 'deny',
      permit: true,
      basis: 'consent',
    },
    {
      rule: 'her region objection naming the category wins over a Mitz permit (more specific)',
      consents: [{ decision: 'objection', grantee: hospital, category: 'medication', purpose: 'treatment' }],
      national: 'permit',
      permit: false,
      basis: 'objection',
    },
    {
      rule: 'a Mitz permit wins over her region objection for anyone (less specific)',
      consents: [{ decision: 'objection' }],
      national: 'permit',
      permit: true,
      basis: 'consent',
      viaMitz: true,
    },
    {
      rule: 'a tie at the organisation type for treatment: her objection wins over a Mitz permit',
      consents: [{ decision: 'objection', grantee: hospital, purpose: 'treatment' }],
      national: 'permit',
      permit: false,
      basis: 'objection',
    },
    {
      rule: 'a tie at the organisation type for treatment: a Mitz deny wins over her grant',
      consents: [{ decision: 'grant', grantee: hospital, purpose: 'treatment' }],
      national: 'deny',
      permit: false,
      basis: 'objection',
      viaMitz: true,
    },
    {
      rule: 'Mitz is not heard for billing: an insurer still needs her explicit grant',
      consents: [],
      national: 'permit',
      request: {
        purpose: 'billing',
        requester: { ura: INSURER, type: 'zorgverzekeraar', role: 'declaratiebeoordelaar' },
      },
      permit: false,
      basis: 'outside-care',
    },
    {
      rule: 'Mitz is not heard inside the holder: its own treatment stays implied',
      consents: [],
      national: 'deny',
      request: { holder: HOSPITAL },
      permit: true,
      basis: 'own-organisation',
    },
  ];
  it.each(combined)('$rule', ({ consents, national, request: over, permit, basis, viaMitz }) => {
    const decision = decideAccess(request({ ...over, national }), register(consents));
    expect(decision).toMatchObject({ permit, basis });
    expect(decision.reason.includes('Mitz')).toBe(Boolean(viaMitz));
    if (viaMitz) expect(decision.consent).toBeUndefined();
  });

  it('a statistics office is never let in by Mitz', () => {
    const requester = { ura: STATISTICS, type: 'statistiek', role: 'analist' } as const;
    expect(decideAccess(request({ requester, national: 'permit' }), register([]))).toMatchObject({
      permit: false,
      basis: 'outside-care',
    });
  });
});
