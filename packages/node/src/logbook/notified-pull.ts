// Notified pull (DESIGN.md "Exchange"): in a one-to-one flow — a newly approved maternity-care hour
// for the client's insurer — the sender tells the receiver only "my log has news", with a node
// token and an empty body: no personal data, no content. The receiver then pulls with its own
// means: it brings its mirror of the sender's log up to date over tlog-tiles, verifying every entry
// as always, and its state (and so its insurer view) has the hour at once instead of at the next
// poll. A notification from a member about another member's log is refused.
import type { FastifyInstance } from 'fastify';
import { issueNodeToken, requireNodeToken, type NodeTokenVerifier } from '@ketenlog/auth';
import { logOriginOf, type MemberFetch } from '@ketenlog/region';
import type { Membership } from '../region/membership.ts';
import type { NodeLogbook } from './node-logbook.ts';

export const NOTIFY_PATH = '/logbook/notify';

export async function notifyRoutes(
  app: FastifyInstance,
  options: {
    readonly logbook: NodeLogbook;
    readonly membership: Membership;
    /** The node's one verifier (one replay register for every route). */
    readonly verifier: NodeTokenVerifier;
  },
): Promise<void> {
  const { logbook, membership, verifier } = options;
  app.post(NOTIFY_PATH, { preHandler: requireNodeToken(verifier) }, async (request, reply) => {
    const caller = request.nodeCaller!.organisation;
    const origin = logOriginOf(membership.region, caller);
    const pull = logbook.syncMirrorOf(origin);
    pull.catch((error: unknown) => request.log.warn({ err: error, origin }, 'notified pull failed'));
    // Answered at once: the pull reads the sender's log, which must not wait on this answer.
    return reply.code(202).send({ pulling: origin });
  });
}

/** Tells members that this node's log has news (fire and forget; the poll catches up otherwise). */
export class Notifier {
  readonly #membership: Membership;
  readonly #fetch: MemberFetch;
  readonly #log: { debug(obj: object, msg: string): void };

  constructor(membership: Membership, fetch: MemberFetch, log: { debug(obj: object, msg: string): void }) {
    this.#membership = membership;
    this.#fetch = fetch;
    this.#log = log;
  }

  /** Notifies the members with these URAs (this node itself is skipped). */
  notify(uras: Iterable<string>): void {
    const { region, organisation, statementKey } = this.#membership;
    for (const ura of new Set(uras)) {
      const member = region.organisations.find((o) => o.ura === ura);
      if (!member || ura === organisation.ura) continue;
      void (async () => {
        const token = await issueNodeToken(
          { keyId: statementKey.keyId, secretKey: statementKey.secretKey },
          { organisation: organisation.ura, audience: member.node.baseUrl, role: 'node', purpose: 'billing' },
        );
        const response = await this.#fetch(`${member.node.baseUrl}${NOTIFY_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await response.body?.cancel();
      })().catch((error: unknown) => this.#log.debug({ err: error, ura }, 'notification not delivered'));
    }
  }
}
