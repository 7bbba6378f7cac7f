// Delegation invites (Fastify plugin): a client does not know her representative's holder
// identity, so she makes a one-time invite code and gives it to that person; the representative,
// logged in with her own passkey, accepts it; the client then sees the invite accepted and makes
// the delegation for that representative (POST /delegations) and signs its drafts with her passkey.
// - POST   /delegations/invites         client: { kinds, validUntil } → 201 { id, code, expiresAt }
// - GET    /delegations/invites         client: her invites (never the codes) with their status
// - POST   /delegations/invites/accept  representative: { code } → { id } (code in the body, never a URL)
// - DELETE /delegations/invites/:id     client: the invite is used up or withdrawn
// Only a hash of the code is stored; a code is good for one acceptance and for a week.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { oneRow, type Db } from '@ketenlog/storage';
import { DELEGABLE_KINDS, type DelegableKind } from './delegation.ts';
import { sessionIdFrom, type Principal, type SessionStore } from './session.ts';
import { replyOutcome } from '@ketenlog/problem';

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS delegation_invites (
  id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL UNIQUE,
  client TEXT NOT NULL,
  kinds TEXT NOT NULL,
  valid_until BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  representative TEXT
);
CREATE INDEX IF NOT EXISTS delegation_invites_client ON delegation_invites (client);
`;

interface InviteRow {
  id: string;
  client: string;
  kinds: string;
  valid_until: number;
  expires_at: number;
  representative: string | null;
}

/** An invite as its client sees it: what it grants, until when, and who accepted it. */
export interface DelegationInvite {
  readonly id: string;
  readonly kinds: readonly DelegableKind[];
  readonly validUntil: number;
  readonly expiresAt: number;
  readonly status: 'open' | 'accepted' | 'expired';
  /** The representative's holder identity, once she accepted. */
  readonly representative?: string;
}

const hashOf = (code: string): string => createHash('sha256').update(code).digest('base64url');

export async function delegationInviteRoutes(
  app: FastifyInstance,
  options: { readonly db: Db; readonly sessions: SessionStore; readonly now?: () => number },
): Promise<void> {
  const { db, sessions } = options;
  const now = options.now ?? Date.now;
  await db.exec(SCHEMA);
  const principalOf = async (request: FastifyRequest): Promise<Principal | undefined> =>
    (await sessions.get(sessionIdFrom(request.headers.cookie), now()))?.principal;

  app.post('/delegations/invites', async (request, reply) => {
    const p = await principalOf(request);
    if (p?.kind !== 'client') return replyOutcome(reply, 401, 'login', 'only a logged-in client invites');
    const body = request.body as Partial<{ kinds: unknown; validUntil: unknown }> | undefined;
    const kinds = body?.kinds;
    if (
      !Array.isArray(kinds) ||
      kinds.length === 0 ||
      !kinds.every((k) => (DELEGABLE_KINDS as readonly unknown[]).includes(k)) ||
      typeof body?.validUntil !== 'number' ||
      body.validUntil <= now()
    )
      return replyOutcome(
        reply,
        400,
        'invalid',
        `send { kinds: some of ${DELEGABLE_KINDS.join(', ')}, validUntil: a future time (ms) }`,
      );
    const code = randomBytes(12).toString('base64url');
    const id = randomUUID();
    const expiresAt = now() + INVITE_TTL_MS;
    await db.run(
      'INSERT INTO delegation_invites (id, code_hash, client, kinds, valid_until, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, hashOf(code), p.holder, JSON.stringify([...new Set(kinds)]), body.validUntil, expiresAt],
    );
    return reply.code(201).send({ id, code, expiresAt });
  });

  app.get('/delegations/invites', async (request, reply) => {
    const p = await principalOf(request);
    if (p?.kind !== 'client') return replyOutcome(reply, 401, 'login', 'only a logged-in client has invites');
    const rows = await db.all<InviteRow>(
      'SELECT id, client, kinds, valid_until, expires_at, representative FROM delegation_invites WHERE client = ? ORDER BY expires_at, id',
      [p.holder],
    );
    const invites: DelegationInvite[] = rows.map((row) => ({
      id: row.id,
      kinds: JSON.parse(row.kinds) as DelegableKind[],
      validUntil: Number(row.valid_until),
      expiresAt: Number(row.expires_at),
      status: row.representative !== null ? 'accepted' : Number(row.expires_at) <= now() ? 'expired' : 'open',
      ...(row.representative !== null ? { representative: row.representative } : {}),
    }));
    return { invites };
  });

  app.post('/delegations/invites/accept', async (request, reply) => {
    const p = await principalOf(request);
    if (p?.kind !== 'representative')
      return replyOutcome(reply, 401, 'login', 'log in with your own passkey as a representative');
    const code = (request.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || code.length === 0 || code.length > 64)
      return replyOutcome(reply, 400, 'invalid', 'send { code }');
    const { changes } = await db.run(
      'UPDATE delegation_invites SET representative = ? WHERE code_hash = ? AND representative IS NULL AND expires_at > ? AND client <> ?',
      [p.holder, hashOf(code), now(), p.holder],
    );
    if (changes !== 1)
      return replyOutcome(reply, 404, 'not-found', 'this invite code is unknown, used or expired');
    const rows = await db.all<{ id: string }>('SELECT id FROM delegation_invites WHERE code_hash = ?', [
      hashOf(code),
    ]);
    return { id: oneRow(rows).id };
  });

  app.delete('/delegations/invites/:id', async (request, reply) => {
    const p = await principalOf(request);
    if (p?.kind !== 'client') return replyOutcome(reply, 401, 'login', 'only the client removes her invite');
    const { id } = request.params as { id: string };
    const { changes } = await db.run('DELETE FROM delegation_invites WHERE id = ? AND client = ?', [
      id,
      p.holder,
    ]);
    if (changes !== 1) return replyOutcome(reply, 404, 'not-found', 'no such invite');
    return { removed: id };
  });
}
