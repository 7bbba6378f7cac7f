import Fastify, { type FastifyInstance } from 'fastify';
import type { Db } from '@ketenlog/storage';
import { testDatabases } from '@ketenlog/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64, utf8 } from '../bytes.ts';
import { checkpointOfNote, openCheckpoint } from '../checkpoint.ts';
import { leafHash, verifyInclusion } from '../merkle.ts';
import { verifierFromKey } from '../note.ts';
import { LogRegistry } from '../sequencer-registry.ts';
import { testLogOptions } from '../testing/log-keys.ts';
import { decodeEntryBundle, type EntryResponse } from '../tiles.ts';
import { logTilesRoutes } from './log-tiles-routes.ts';

const consent = testLogOptions('consent');
const index = testLogOptions('index');

describe.each(testDatabases())('logTilesRoutes on $name', ({ open }) => {
  let db: Db;
  let logs: LogRegistry;
  let app: FastifyInstance;
  beforeEach(async () => {
    db = await open();
    logs = await LogRegistry.open(db, [consent, index]);
    await Promise.all(
      Array.from({ length: 260 }, (_, i) => logs.log('consent').append(utf8(`consent ${i}`))),
    );
    await logs.log('index').append(utf8('index 0'));
    app = Fastify();
    await app.register(logTilesRoutes, { prefix: '/logs', logs: (id) => logs.get(id)?.reader });
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  it('serves each log under its own prefix', async () => {
    for (const [id, options, size] of [
      ['consent', consent, 260],
      ['index', index, 1],
    ] as const) {
      const response = await app.inject({ method: 'GET', url: `/logs/${id}/checkpoint` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      const { checkpoint } = openCheckpoint(
        response.body,
        options.origin,
        verifierFromKey(options.verifierKey),
      );
      expect(checkpoint.size).toBe(size);
    }
    expect((await app.inject({ method: 'GET', url: '/logs/nope/checkpoint' })).statusCode).toBe(404);
  });

  it('serves full tiles as immutable octets, and 404 or 400 where it must', async () => {
    const full = await app.inject({ method: 'GET', url: '/logs/consent/tile/0/000' });
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('application/octet-stream');
    expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(full.rawPayload).toHaveLength(256 * 32);
    const bundle = await app.inject({ method: 'GET', url: '/logs/consent/tile/entries/001.p/4' });
    expect(decodeEntryBundle(new Uint8Array(bundle.rawPayload))).toHaveLength(4);
    expect((await app.inject({ method: 'GET', url: '/logs/consent/tile/0/001' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/logs/consent/tile/0/1' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/logs/consent/tile/0/x001/234' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/logs/consent/entry/abc' })).statusCode).toBe(400);
  });

  it('serves an entry with its proof, and consistency proofs from the query string', async () => {
    const response = await app.inject({ method: 'GET', url: '/logs/consent/entry/259' });
    expect(response.statusCode).toBe(200);
    const body = response.json<EntryResponse>();
    const root = checkpointOfNote(body.checkpoint).root;
    const proof = body.inclusionProof.map((h) => fromBase64(h)!);
    expect(verifyInclusion(259, 260, leafHash(utf8('consent 259')), proof, root)).toBe(true);
    const consistency = await app.inject({
      method: 'GET',
      url: '/logs/consent/proof/consistency?from=3&to=260',
    });
    expect(consistency.statusCode).toBe(200);
    expect(consistency.json<{ proof: string[] }>().proof.length).toBeGreaterThan(0);
    expect(
      (await app.inject({ method: 'GET', url: '/logs/consent/proof/consistency?from=a&to=2' })).statusCode,
    ).toBe(400);
  });

  it('answers over a real HTTP connection on loopback', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const checkpoint = await fetch(`${address}/logs/consent/checkpoint`);
    expect(checkpoint.status).toBe(200);
    expect(checkpointOfNote(await checkpoint.text()).size).toBe(260);
    const tile = await fetch(`${address}/logs/consent/tile/0/001.p/4`);
    expect(tile.status).toBe(200);
    expect(new Uint8Array(await tile.arrayBuffer())).toHaveLength(4 * 32);
    const entry = await fetch(`${address}/logs/index/entry/0`);
    expect(((await entry.json()) as EntryResponse).entry).toBe(Buffer.from('index 0').toString('base64'));
  });
});
