// Fastify plugin serving one or more logs' C2SP tlog-tiles read APIs, each under `<prefix>/<logId>/`
// (register it with e.g. `{ prefix: '/logs' }`): checkpoint, tiles, entry bundles, `entry/<index>`
// and `proof/consistency?from=&to=`. See ../tiles.ts for the responses.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LogReader } from '../store/log-reader.ts';
import { createTileHandler, type TileHandler } from '../tiles.ts';

export interface LogTilesRoutesOptions {
  /** The reader of a log this node serves, or undefined (404) for an unknown log id. */
  logs: (logId: string) => LogReader | undefined;
}

type Request = FastifyRequest<{
  Params: { logId: string; '*': string };
  Querystring: Record<string, string>;
}>;

export async function logTilesRoutes(app: FastifyInstance, options: LogTilesRoutesOptions): Promise<void> {
  const handlers = new WeakMap<LogReader, TileHandler>();
  const handlerFor = (reader: LogReader): TileHandler => {
    let handler = handlers.get(reader);
    if (!handler) handlers.set(reader, (handler = createTileHandler(reader)));
    return handler;
  };

  app.get('/:logId/*', async (request: Request, reply: FastifyReply) => {
    const reader = options.logs(request.params.logId);
    if (!reader) {
      return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('no such log\n');
    }
    const query = typeof request.query === 'object' && request.query !== null ? request.query : {};
    const response = await handlerFor(reader)(request.params['*'], query);
    reply.code(response.status).headers(response.headers);
    const { body } = response;
    // Strings are ASCII (tiles.ts); Node writes them with the headers in one system call.
    return reply.send(
      typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    );
  });
}
