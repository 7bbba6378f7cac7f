// Seed data for each member of the demo region: every organisation holds, at the source, only what
// it would record itself about the demo population (population.ts) — maternity care, midwifery,
// GP, hospital (inflammatory bowel disease), pharmacy and insurer claims. One transaction bundle
// of PUTs per organisation, so seeding twice changes nothing.
import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Organization,
  Patient,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { BSN_SYSTEM } from '@ketenlog/fhir';
import type { Organisation, RegionConfig } from '@ketenlog/region';
import type { DemoClient } from './population.ts';
import { ANALYTICS_CODES, GP_CONSULT, IBD_COACH_USE, INCOME_QUINTILE } from '../analytics/study-inputs.ts';
import { GP_CONSULT_EUR, KRAAMZORG_EUR, ibdCoachTruth } from './ibd-coach-truth.ts';

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const ATC = 'http://www.whocc.no/atc';
const UCUM = 'http://unitsofmeasure.org';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

const concept = (system: string, code: string, display: string): CodeableConcept => ({
  coding: [{ system, code, display }],
  text: display,
});
const pad = (n: number): string => String(n).padStart(2, '0');
const clinical = (code: string): CodeableConcept => ({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }],
});
const category = (code: string): CodeableConcept[] => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] },
];

class BundleBuilder {
  readonly entry: BundleEntry[] = [];
  put(resource: Resource & { id: string }): void {
    this.entry.push({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
  }
  bundle(): Bundle {
    return { resourceType: 'Bundle', type: 'transaction', entry: this.entry };
  }
}

interface Context {
  readonly b: BundleBuilder;
  readonly org: Organisation;
  readonly orgRef: Reference<Organization>;
}

function patient(ctx: Context, c: DemoClient): Reference<Patient> {
  const id = `client-${c.n + 1}`;
  ctx.b.put({
    resourceType: 'Patient',
    id,
    identifier: [{ system: BSN_SYSTEM, value: c.bsn }],
    name: [{ family: c.family, given: [c.given] }],
    gender: c.gender,
    birthDate: c.birthDate,
    managingOrganization: ctx.orgRef,
  });
  return { reference: `Patient/${id}` };
}

function quantity(
  ctx: Context,
  id: string,
  subject: Reference<Patient>,
  code: CodeableConcept,
  when: string,
  value: number,
  unit: string,
  range?: { low?: number; high?: number },
  kind = 'vital-signs',
): void {
  ctx.b.put({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: category(kind),
    code,
    subject,
    effectiveDateTime: when,
    performer: [ctx.orgRef],
    valueQuantity: { value, unit, system: UCUM, code: unit },
    ...(range
      ? {
          referenceRange: [
            {
              ...(range.low !== undefined
                ? { low: { value: range.low, unit, system: UCUM, code: unit } }
                : {}),
              ...(range.high !== undefined
                ? { high: { value: range.high, unit, system: UCUM, code: unit } }
                : {}),
            },
          ],
        }
      : {}),
  });
}

function bloodPressure(
  ctx: Context,
  id: string,
  subject: Reference<Patient>,
  when: string,
  sys: number,
  dia: number,
): void {
  const mm = (value: number) => ({ value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' });
  ctx.b.put({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: category('vital-signs'),
    code: concept(LOINC, '85354-9', 'Bloeddruk'),
    subject,
    effectiveDateTime: when,
    performer: [ctx.orgRef],
    component: [
      { code: concept(LOINC, '8480-6', 'Systolische bloeddruk'), valueQuantity: mm(sys) },
      { code: concept(LOINC, '8462-4', 'Diastolische bloeddruk'), valueQuantity: mm(dia) },
    ],
  });
}

function encounter(
  ctx: Context,
  id: string,
  subject: Reference<Patient>,
  cls: string,
  start: string,
  minutes: number,
  reason?: string,
): void {
  const end = new Date(new Date(start).getTime() + minutes * 60_000).toISOString();
  ctx.b.put({
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: ACT_CODE, code: cls },
    subject,
    serviceProvider: ctx.orgRef,
    period: { start, end },
    ...(reason ? { reasonCode: [{ text: reason }] } : {}),
  });
}

function condition(
  ctx: Context,
  id: string,
  subject: Reference<Patient>,
  code: CodeableConcept,
  onset: string,
  status = 'active',
): void {
  ctx.b.put({
    resourceType: 'Condition',
    id,
    clinicalStatus: clinical(status),
    code,
    subject,
    onsetDateTime: onset,
  });
}

function medication(
  ctx: Context,
  id: string,
  subject: Reference<Patient>,
  code: CodeableConcept,
  start: string,
  dosage: string,
): void {
  ctx.b.put({
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    medicationCodeableConcept: code,
    subject,
    effectivePeriod: { start },
    informationSource: ctx.orgRef,
    dosage: [{ text: dosage }],
  });
}

const PREGNANCY = concept(SNOMED, '77386006', 'Zwangerschap');
const IBD: Record<'crohn' | 'colitis', CodeableConcept> = {
  crohn: concept(SNOMED, '34000006', 'Ziekte van Crohn'),
  colitis: concept(SNOMED, '64766004', 'Colitis ulcerosa'),
};

/** Days after a date, as an ISO date-time at 09:00 local time. */
const dayAfter = (date: string, days: number, hour = 9): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return `${d.toISOString().slice(0, 10)}T${pad(hour)}:00:00+02:00`;
};

type Seeder = (ctx: Context, clients: readonly DemoClient[], kraamzorgIndex: number) => void;

const SEEDERS: Partial<Record<Organisation['type'], Seeder>> = {
  kraamzorg(ctx, clients, index) {
    for (const c of clients.filter((x) => x.mother && x.kraamzorg === index)) {
      const subject = patient(ctx, c);
      const id = `client-${c.n + 1}`;
      condition(ctx, `${id}-pregnancy`, subject, PREGNANCY, dayAfter(c.dueDate!, -270).slice(0, 10));
      ctx.b.put({
        resourceType: 'EpisodeOfCare',
        id: `${id}-kraamzorg`,
        status: 'active',
        type: [{ text: 'Kraamzorg' }],
        patient: subject,
        managingOrganization: ctx.orgRef,
        period: { start: c.dueDate! },
      });
      for (let day = 0; day < 3; day++) {
        const when = dayAfter(c.dueDate!, day + 1);
        encounter(ctx, `${id}-visit-${day + 1}`, subject, 'HH', when, 180, 'Kraamzorg thuis');
        bloodPressure(
          ctx,
          `${id}-bp-${day + 1}`,
          subject,
          when,
          112 + ((c.n + day) % 20),
          72 + ((c.n * day) % 12),
        );
        quantity(
          ctx,
          `${id}-weight-${day + 1}`,
          subject,
          concept(LOINC, '29463-7', 'Lichaamsgewicht'),
          when,
          66 + (c.n % 18) - day * 0.5,
          'kg',
        );
      }
    }
  },
  verloskunde(ctx, clients) {
    for (const c of clients.filter((x) => x.mother)) {
      const subject = patient(ctx, c);
      const id = `client-${c.n + 1}`;
      condition(ctx, `${id}-pregnancy`, subject, PREGNANCY, dayAfter(c.dueDate!, -270).slice(0, 10));
      for (let k = 0; k < 3; k++) {
        const when = dayAfter(c.dueDate!, -120 + k * 40, 10);
        encounter(ctx, `${id}-controle-${k + 1}`, subject, 'AMB', when, 20, 'Zwangerschapscontrole');
        bloodPressure(
          ctx,
          `${id}-bp-${k + 1}`,
          subject,
          when,
          108 + ((c.n + k) % 22),
          68 + ((c.n + 2 * k) % 14),
        );
      }
    }
  },
  huisarts(ctx, clients) {
    for (const c of clients) {
      const subject = patient(ctx, c);
      const id = `client-${c.n + 1}`;
      encounter(
        ctx,
        `${id}-consult`,
        subject,
        'AMB',
        `2026-0${1 + (c.n % 6)}-${pad(2 + (c.n % 25))}T08:30:00+01:00`,
        10,
        'Consult huisarts',
      );
      if (c.ibd) condition(ctx, `${id}-ibd`, subject, IBD[c.ibd], `${2015 + (c.n % 9)}-03-01`);
      if (c.n % 6 === 0) {
        ctx.b.put({
          resourceType: 'AllergyIntolerance',
          id: `${id}-penicilline`,
          clinicalStatus: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
            ],
          },
          code: concept(SNOMED, '91936005', 'Allergie voor penicilline'),
          patient: subject,
        });
      }
    }
  },
  ziekenhuis(ctx, clients) {
    for (const c of clients.filter((x) => x.ibd || x.n % 5 === 0)) {
      const subject = patient(ctx, c);
      const id = `client-${c.n + 1}`;
      if (c.ibd) {
        condition(ctx, `${id}-ibd`, subject, IBD[c.ibd], `${2015 + (c.n % 9)}-03-01`);
        // The research cohort has only what the study reads: the diagnosis and the app use.
        for (let k = 0; k < (c.cohort ? 0 : 3); k++) {
          const when = `2026-0${2 + 2 * k}-${pad(3 + (c.n % 20))}T11:00:00+01:00`;
          encounter(ctx, `${id}-mdl-${k + 1}`, subject, 'AMB', when, 20, 'Polikliniek MDL');
          quantity(
            ctx,
            `${id}-calprotectine-${k + 1}`,
            subject,
            concept(LOINC, '38445-3', 'Calprotectine in feces'),
            when,
            40 + ((c.n * 37 + k * 90) % 400),
            'ug/g',
            { high: 50 },
            'laboratory',
          );
          quantity(
            ctx,
            `${id}-crp-${k + 1}`,
            subject,
            concept(LOINC, '1988-5', 'CRP'),
            when,
            2 + ((c.n * 7 + k * 11) % 30),
            'mg/L',
            { high: 10 },
            'laboratory',
          );
          quantity(
            ctx,
            `${id}-hb-${k + 1}`,
            subject,
            concept(LOINC, '718-7', 'Hemoglobine'),
            when,
            7 + ((c.n + k) % 4) * 0.5,
            'mmol/L',
            { low: 7.5, high: 10 },
            'laboratory',
          );
        }
        // Two in three IBD patients use the IBD-coach e-health app (the analytics demo study).
        ctx.b.put({
          resourceType: 'Observation',
          id: `${id}-ibd-coach`,
          status: 'final',
          category: category('survey'),
          code: concept(ANALYTICS_CODES, IBD_COACH_USE, 'Gebruik IBD-coach (e-health)'),
          subject,
          effectiveDateTime: '2026-01-15T10:00:00+01:00',
          performer: [ctx.orgRef],
          valueBoolean: ibdCoachTruth(c)!.appUser,
        });
        if (!c.cohort)
          ctx.b.put({
            resourceType: 'Procedure',
            id: `${id}-coloscopie`,
            status: 'completed',
            code: concept(SNOMED, '73761001', 'Coloscopie'),
            subject,
            performedDateTime: `2025-11-${pad(3 + (c.n % 20))}T10:00:00+01:00`,
            performer: [{ actor: ctx.orgRef }],
          });
      }
      if (c.mother && c.n % 5 === 0) {
        encounter(ctx, `${id}-bevalling`, subject, 'IMP', dayAfter(c.dueDate!, 0, 4), 24 * 60, 'Bevalling');
        ctx.b.put({
          resourceType: 'DocumentReference',
          id: `${id}-ontslagbrief`,
          status: 'current',
          type: concept(LOINC, '18842-5', 'Ontslagbrief'),
          subject,
          date: dayAfter(c.dueDate!, 1, 12),
          author: [ctx.orgRef],
          content: [
            {
              attachment: {
                contentType: 'text/plain; charset=utf-8',
                title: 'Ontslagbrief verloskunde',
                data: Buffer.from(
                  `Ontslagbrief (demo): bevalling van ${c.given} ${c.family} zonder bijzonderheden.`,
                ).toString('base64'),
              },
            },
          ],
        });
      }
    }
  },
  apotheek(ctx, clients) {
    for (const c of clients.filter((x) => x.ibd || x.mother)) {
      const subject = patient(ctx, c);
      const id = `client-${c.n + 1}`;
      if (c.ibd === 'colitis' || (c.ibd === 'crohn' && c.n % 3 === 0)) {
        medication(
          ctx,
          `${id}-mesalazine`,
          subject,
          concept(ATC, 'A07EC02', 'Mesalazine'),
          '2025-06-01',
          '2 dd 1000 mg',
        );
      }
      if (c.ibd === 'crohn' && c.n % 3 !== 0) {
        medication(
          ctx,
          `${id}-infliximab`,
          subject,
          concept(ATC, 'L04AB02', 'Infliximab'),
          '2025-09-01',
          '5 mg/kg elke 8 weken',
        );
      }
      if (c.mother) {
        medication(
          ctx,
          `${id}-foliumzuur`,
          subject,
          concept(ATC, 'B03BB01', 'Foliumzuur'),
          dayAfter(c.dueDate!, -300).slice(0, 10),
          '1 dd 0,4 mg',
        );
      }
    }
  },
  // The statistics office's register: each client's household income quintile (a covariate for
  // studies under analysis agreements; it never leaves the office except as shares).
  statistiek(ctx, clients) {
    for (const c of clients) {
      const subject = patient(ctx, c);
      ctx.b.put({
        resourceType: 'Observation',
        id: `client-${c.n + 1}-inkomen`,
        status: 'final',
        category: category('social-history'),
        code: concept(ANALYTICS_CODES, INCOME_QUINTILE, 'Inkomenskwintiel huishouden'),
        subject,
        effectiveDateTime: '2025-12-31',
        performer: [ctx.orgRef],
        valueInteger: 1 + ((c.n * 7 + (c.n >> 2)) % 5),
      });
    }
  },
  zorgverzekeraar(ctx, clients) {
    for (const c of clients) {
      const subject = patient(ctx, c);
      const id = `client-${c.n + 1}`;
      ctx.b.put({
        resourceType: 'Coverage',
        id: `${id}-basis`,
        status: 'active',
        type: { text: 'Basisverzekering' },
        beneficiary: subject,
        payor: [ctx.orgRef],
        period: { start: '2026-01-01', end: '2026-12-31' },
      });
      const claim = (suffix: string, type: string, text: string, amount: number, created: string) =>
        ctx.b.put({
          resourceType: 'Claim',
          id: `${id}-${suffix}`,
          status: 'active',
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: type }] },
          use: 'claim',
          patient: subject,
          created,
          provider: { display: text },
          priority: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }],
          },
          insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${id}-basis` } }],
          item: [{ sequence: 1, productOrService: { text }, net: { value: amount, currency: 'EUR' } }],
          total: { value: amount, currency: 'EUR' },
        });
      if (c.mother)
        claim(
          'kraamzorg',
          'professional',
          'Kraamzorg (uren)',
          KRAAMZORG_EUR,
          dayAfter(c.dueDate!, 14).slice(0, 10),
        );
      const ibd = ibdCoachTruth(c);
      if (ibd) {
        claim('mdl', 'institutional', 'Behandeling MDL (IBD)', ibd.mdlEur, '2026-05-01');
        const visits = ibd.gpVisits;
        ctx.b.put({
          resourceType: 'Claim',
          id: `${id}-huisarts`,
          status: 'active',
          type: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }],
          },
          use: 'claim',
          patient: subject,
          created: '2026-06-30',
          provider: { display: 'Huisartsenzorg' },
          priority: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }],
          },
          insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${id}-basis` } }],
          item: [
            {
              sequence: 1,
              productOrService: {
                coding: [{ system: ANALYTICS_CODES, code: GP_CONSULT, display: 'Consult huisarts' }],
              },
              quantity: { value: visits },
              unitPrice: { value: GP_CONSULT_EUR, currency: 'EUR' },
              net: { value: visits * GP_CONSULT_EUR, currency: 'EUR' },
            },
          ],
          total: { value: visits * GP_CONSULT_EUR, currency: 'EUR' },
        });
      }
    }
  },
};

/** The seed bundle of one member, or undefined for organisations that keep no care records. */
export function seedBundle(
  config: RegionConfig,
  org: Organisation,
  clients: readonly DemoClient[],
): Bundle | undefined {
  const seeder = SEEDERS[org.type];
  if (!seeder) return undefined;
  const b = new BundleBuilder();
  const orgRef: Reference<Organization> = {
    identifier: { system: URA_SYSTEM, value: org.ura },
    display: org.name,
  };
  const kraamzorgIndex = config.organisations
    .filter((o) => o.type === 'kraamzorg')
    .findIndex((o) => o.ura === org.ura);
  seeder({ b, org, orgRef }, clients, kraamzorgIndex);
  return b.bundle();
}
