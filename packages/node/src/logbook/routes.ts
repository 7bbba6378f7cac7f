// The node's logbook over HTTP: submit a signed statement, fetch its receipt once final, the
// logbook's status; the logs themselves as C2SP tlog-tiles under /logs (the node's own log and its
// mirrors of the others'), and the witness (tlog-witness add-checkpoint, evidence) under /witness.
import type { FastifyInstance } from 'fastify';
import { logTilesRoutes, witnessRoutes } from '@ketenlog/logbook';
import { LOGS_PATH, OWN_LOG_ID, type NodeLogbook } from './node-logbook.ts';
import { outcome, ProblemError } from '@ketenlog/problem';

export interface LogbookRoutesOptions {
  readonly logbook: NodeLogbook;
}

/** The longest a client may ask to wait for finality. */
const MAX_WAIT_MS = 30_000;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

function waitOf(query: Record<string, string | undefined>): number {
  const wait = query.wait;
  if (wait === undefined) return 0;
  if (!DECIMAL.test(wait))
    throw new ProblemError(400, outcome('error', 'invalid', 'wait must be milliseconds'));
  return Math.min(Number(wait), MAX_WAIT_MS);
}

export async function logbookRoutes(app: FastifyInstance, options: LogbookRoutesOptions): Promise<void> {
  const { logbook } = options;
  await app.register(logTilesRoutes, {
    prefix: LOGS_PATH,
    logs: (id) => (id === OWN_LOG_ID ? logbook.sequencer.reader : logbook.mirrors.get(id)?.reader),
  });
  await app.register(witnessRoutes, {
    prefix: '/witness',
    witness: logbook.witness,
    store: logbook.witnessStore,
  });

  await app.register(
    async (api) => {
      type Query = { Querystring: Record<string, string | undefined> };
      /**
       * Appends a signed statement. 201 with the receipt when it became final within `?wait=<ms>`,
       * 202 when it is logged but not (yet) final; 400 malformed, 422 against the region's rules.
       */
      api.post<Query>('/statements', async (request, reply) => {
        const wait = waitOf(request.query);
        const result = await logbook.submit(request.body);
        if (!result.ok) throw ProblemError.of(result.problem);
        const { index } = result.value;
        const final = wait > 0 && (await logbook.waitFinal(index, wait));
        const receipt = final ? await logbook.receipt(index) : undefined;
        return reply
          .code(receipt ? 201 : 202)
          .header('location', `/logbook/receipts/${index}`)
          .send({
            index,
            origin: logbook.origin,
            final: !!receipt,
            ...(receipt ? { receipt } : {}),
          });
      });

      /** The C2SP tlog-proof receipt of an entry: 200 once final, 202 while pending, 404 beyond the log. */
      api.get<{ Params: { index: string } } & Query>('/receipts/:index', async (request, reply) => {
        const { index: text } = request.params;
        if (!DECIMAL.test(text))
          throw new ProblemError(400, outcome('error', 'invalid', 'index must be a decimal'));
        const index = Number(text);
        if (index >= logbook.sequencer.size) {
          throw new ProblemError(404, outcome('error', 'not-found', `entry ${index} is not in the log`));
        }
        const wait = waitOf(request.query);
        if (wait > 0) await logbook.waitFinal(index, wait);
        const receipt = await logbook.receipt(index);
        if (!receipt) {
          return reply.code(202).header('retry-after', '1').send({ index, final: false });
        }
        return reply.type('text/plain; charset=utf-8').send(receipt);
      });

      api.get('/status', async () => logbook.status());
    },
    { prefix: '/logbook' },
  );
}
