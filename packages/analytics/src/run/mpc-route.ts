// The MPC message route (POST /mpc/v1/message): raw bodies, handed to the transport of the run
// whose session tag the message carries; that transport reads and verifies the bytes itself.
import type { FastifyInstance } from 'fastify';
import { replyOutcome } from '@ketenlog/problem';
import { MPC_MESSAGE_PATH } from '../mpc/http-transport.ts';
import type { RunContext } from './runs.ts';

export async function registerMpcRoute(app: FastifyInstance, ctx: RunContext): Promise<void> {
  await app.register(async (scope) => {
    // Leave the body unread: the transport reads and verifies the raw bytes itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.post(MPC_MESSAGE_PATH, async (request, reply) => {
      const meta = request.headers['x-ketenlog-mpc'];
      let session: unknown;
      try {
        session =
          typeof meta === 'string'
            ? JSON.parse(Buffer.from(meta, 'base64url').toString('utf8')).specHash
            : undefined;
      } catch {
        session = undefined;
      }
      const run = typeof session === 'string' ? ctx.session(session) : undefined;
      if (!run) {
        request.raw.resume();
        return replyOutcome(
          reply,
          typeof session === 'string' ? 404 : 400,
          typeof session === 'string' ? 'not-found' : 'invalid',
          'no analysis run with this session at this node',
        );
      }
      reply.hijack();
      run.transport.handle(request.raw, reply.raw);
      return reply;
    });
  });
}
