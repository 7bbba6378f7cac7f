// Analytics (packages/analytics) wired into a region member: the run lifecycle over this node's
// logbook, its FHIR store read by region pseudonym (study-inputs.ts), its sessions and its member
// fetch. Registered by region/member-services.ts.
import type { Db } from '@ketenlog/storage';
import type { FhirRepository } from '@ketenlog/fhir';
import { organisationRef, type MemberFetch } from '@ketenlog/region';
import type { SessionStore } from '@ketenlog/auth';
import { fail, ok } from '@ketenlog/problem';
import { openAnalytics, type Analytics, type AnalyticsLogbook, type Logged } from '@ketenlog/analytics';
import type { Result } from '@ketenlog/problem';
import type { Appended, NodeLogbook, RefusalCode } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';
import { storeStudyInputs } from './study-inputs.ts';

export interface NodeAnalyticsOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  /** The FHIR store the study's records are read from. */
  readonly repository: FhirRepository;
  /** A client's region pseudonym (the region's pseudonym service); none: a run is refused. */
  readonly pseudonymOf?: (bsn: string) => Promise<string>;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
  readonly sessions?: SessionStore;
}

/** A malformed envelope is 'invalid' to the research routes (the logbook's own 'structure'). */
const logged = (result: Result<Appended, RefusalCode>): Logged =>
  result.ok
    ? ok({ index: result.value.index })
    : fail(
        result.problem.status,
        result.problem.code === 'structure' ? 'invalid' : result.problem.code,
        result.problem.text,
      );

/** The node's logbook as analytics asks for it. */
function analyticsLogbook(logbook: NodeLogbook): AnalyticsLogbook {
  return {
    get state() {
      return logbook.state;
    },
    append: async (envelope) => logged(await logbook.append(envelope)),
    submit: async (value) => logged(await logbook.submit(value)),
    syncMirrors: () => logbook.syncMirrors(),
  };
}

export function openNodeAnalytics(options: NodeAnalyticsOptions): Promise<Analytics> {
  const { membership, logbook } = options;
  const { organisation } = membership;
  return openAnalytics({
    db: options.db,
    member: membership,
    logbook: analyticsLogbook(logbook),
    inputs: storeStudyInputs({
      repository: options.repository,
      baseUrl: `${organisation.node.baseUrl.replace(/\/$/, '')}/fhir`,
      self: organisationRef(organisation.ura),
      state: () => logbook.state,
      ...(options.pseudonymOf ? { pseudonymOf: options.pseudonymOf } : {}),
    }),
    fetch: options.fetch,
    log: options.log,
    ...(options.sessions ? { sessions: options.sessions } : {}),
  });
}
