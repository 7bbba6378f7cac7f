// Mijn Zorg Log at a region member (packages/carelog), wired to the node's logbook, database and
// sessions: a maternity-care organisation records indications and its carers' visits, the client
// approves with her passkey, the insurer's node shows its assessor the approved hours with
// receipts. Who may do what is decided here from the node's sessions (the routes ask).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '@ketenlog/storage';
import { signStatement, KIND_CARELOG_APPROVAL } from '@ketenlog/logbook';
import { carelogView, currentIndication, insurersOf, logOriginOf, type MemberFetch } from '@ketenlog/region';
import { sessionIdFrom, type SessionStore } from '@ketenlog/auth';
import {
  CarelogService,
  carelogRoutes,
  SqlCareFiles,
  type CarelogAction,
  type CarelogLogbook,
} from '@ketenlog/carelog';
import { careRoleOf } from '@ketenlog/carelog/care-roles';
import type { NodeLogbook } from '../logbook/node-logbook.ts';
import type { Notifier } from '../logbook/notified-pull.ts';
import type { Membership } from '../region/membership.ts';

export const CARELOG_PREFIX = '/carelog';

export interface NodeCarelogOptions {
  readonly db: Db;
  readonly membership: Membership;
  readonly logbook: NodeLogbook;
  readonly sessions: SessionStore;
  readonly fetch: MemberFetch;
  /** Tells the client's insurers at once when she approves an hour (notified pull). */
  readonly notifier?: Notifier;
}

/**
 * The access rule for each Mijn Zorg Log route, from the caller's session at this node: undefined
 * allows, a Dutch reason refuses (403). The service itself still checks what the statements say
 * (the carer assigned, the passkey of the client or of her delegate).
 */
export function carelogAccess(
  membership: Membership,
  logbook: NodeLogbook,
  sessions: SessionStore,
  now: () => number = Date.now,
): (request: FastifyRequest, action: CarelogAction) => Promise<string | undefined> {
  const own = `ura:${membership.organisation.ura}`;
  return async (request, action) => {
    const principal = (await sessions.get(sessionIdFrom(request.headers.cookie), now()))?.principal;
    if (!principal) return 'Log eerst in.';
    const acting = principal.kind === 'professional' ? principal.actingAs : undefined;
    const here = acting?.organisation === own ? careRoleOf(acting.role) : undefined;
    switch (action.action) {
      case 'indication.write':
        return here === 'administration' ? undefined : 'Alleen de zorgadministratie legt indicaties vast.';
      case 'entry.write':
        return here === 'carer'
          ? undefined
          : 'Alleen een kraamverzorgende van deze organisatie registreert uren.';
      case 'approval.write':
        return principal.kind === 'client' || principal.kind === 'representative'
          ? undefined
          : 'Alleen de cliënt (of haar vertegenwoordiger) keurt uren goed.';
      case 'indication.read': {
        if (here === 'administration' || here === 'carer') return undefined;
        const subject = action.indication
          ? currentIndication(logbook.state.carelog, action.indication)?.subject
          : undefined;
        const client =
          principal.kind === 'client'
            ? principal.holder
            : principal.kind === 'representative'
              ? principal.actingFor?.client
              : undefined;
        return subject !== undefined && subject === client ? undefined : 'Geen toegang tot deze indicatie.';
      }
      case 'carer.read':
        return (principal.kind === 'professional' &&
          principal.id === action.carer &&
          acting?.organisation === own) ||
          here === 'administration'
          ? undefined
          : 'Alleen de kraamverzorgende zelf of de zorgadministratie ziet deze uren.';
      case 'insurer.read':
      case 'insurer.write':
        return acting?.organisation === own &&
          own === action.insurer &&
          careRoleOf(acting.role) === 'assessor'
          ? undefined
          : 'Alleen een declaratiebeoordelaar van deze verzekeraar.';
    }
  };
}

export async function registerNodeCarelog(
  app: FastifyInstance,
  options: NodeCarelogOptions,
): Promise<CarelogService> {
  const { db, membership, logbook, sessions, fetch } = options;
  const { region } = membership;
  // An approval is news for the client's insurers: they pull this log at once.
  const notifying: CarelogLogbook = {
    get state() {
      return carelogView(logbook.state);
    },
    append: async (envelope) => {
      const result = await logbook.append(envelope);
      const { kind, subject } = envelope.statement;
      if (result.ok && kind === KIND_CARELOG_APPROVAL && subject !== undefined) {
        options.notifier?.notify(insurersOf(logbook.state, subject).map((ref) => ref.replace(/^ura:/, '')));
      }
      return result;
    },
  };
  const service = new CarelogService({
    logbook: notifying,
    files: await SqlCareFiles.open(db),
    organisation: {
      keyId: membership.statementKey.keyId,
      sign: (statement) => signStatement(statement, membership.statementKey.secretKey),
    },
    // Final receipts: the node's own log from its logbook; another member's from that member.
    receipts: async (at) => {
      if (at.origin === logbook.origin) return logbook.receipt(at.index);
      const member = region.organisations.find((o) => logOriginOf(region, o) === at.origin);
      if (!member) return undefined;
      try {
        const response = await fetch(`${member.node.baseUrl}/logbook/receipts/${at.index}`);
        return response.status === 200 ? await response.text() : (await response.body?.cancel(), undefined);
      } catch {
        return undefined;
      }
    },
  });
  await app.register(carelogRoutes, {
    prefix: CARELOG_PREFIX,
    service,
    provider: `ura:${membership.organisation.ura}`,
    authorise: carelogAccess(membership, logbook, sessions),
  });
  return service;
}
