// The witness's HTTP API: C2SP tlog-witness `POST add-checkpoint`, and the evidence it kept of
// logs misbehaving (register with e.g. `{ prefix: '/witness' }`).
import type { FastifyInstance } from 'fastify';
import type { Witness } from './witness.ts';
import type { WitnessStore } from './witness-store.ts';

export interface WitnessRoutesOptions {
  readonly witness: Witness;
  readonly store: WitnessStore;
}

/** A checkpoint note with a full proof is far below this. */
const MAX_BODY = 64 * 1024;

export async function witnessRoutes(app: FastifyInstance, options: WitnessRoutesOptions): Promise<void> {
  // The witness speaks text/plain (tlog-witness), whatever the node's other routes accept.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/add-checkpoint', { bodyLimit: MAX_BODY }, async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    const response = await options.witness.addCheckpoint(body);
    return reply.code(response.status).type(response.contentType).send(response.body);
  });
  app.get('/evidence', async () => ({ evidence: await options.store.evidence() }));
}
