// A seeded fuzz test of a real region member's HTTP surface (issue 15, "Prove the class closed"):
// at least 20,000 inputs across every JSON route, FHIR paths and search parameters, bundles, tokens
// and headers — odd percent-encodings, dot segments, huge and garbled JSON, wrong content types,
// bogus JWTs, long parameter lists — sent over raw HTTP (node:http, so paths reach the server as
// written), a few at a time. Asserted: no 5xx, no request left unanswered (each is bounded), the
// node still serves /healthz afterwards, and every 4xx carries an OperationOutcome (or the route's
// documented error shape). The inputs follow from one seed (FUZZ_SEED, printed on failure);
// FUZZ_INPUTS changes how many.
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueNodeToken } from '@ketenlog/auth';
import { MARIA_BSN } from '../demo/population.ts';
import type { RunningRegion } from '../region/run-region.ts';
import type { RunningNode } from '../server.ts';
import {
  baseOf,
  clientAt,
  clientRecords,
  loginProfessional,
  RSO,
  seed,
  startExchangeRegion,
  type TestClient,
} from '../exchange/testing.ts';
import { fuzzInput, prng, type FuzzContext, type FuzzInput } from './fuzz-inputs.ts';

const KRAAMZORG = '11110001';
const SEED = Number(process.env.FUZZ_SEED ?? 15_2026);
const INPUTS = Number(process.env.FUZZ_INPUTS ?? 20_000);
const AT_ONCE = 4;
/** No request may take longer than this (a hang). */
const REQUEST_TIMEOUT_MS = 15_000;

let region: RunningRegion;
let node: RunningNode;
let maria: TestClient;
let professional: string;

beforeAll(async () => {
  region = await startExchangeRegion([KRAAMZORG], { quorum: 1 });
  node = region.node(KRAAMZORG);
  await seed(node, [
    ...clientRecords('maria-kz', MARIA_BSN, 'vital-signs', 3),
    ...clientRecords('maria-kz', MARIA_BSN, 'encounters', 2).slice(1),
  ]);
  maria = await clientAt(node, await node.exchange!.pseudonyms!.pseudonymOf(MARIA_BSN));
  professional = await loginProfessional(node, 'pro:karin-dewit');
}, 120_000);
afterAll(async () => {
  agent.destroy();
  await region?.close();
});

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

// One connection per request: a connection the server closes (431 for a too-large header) then
// costs no other input its answer, and each answer is attributed to its own request.
const agent = new Agent({ keepAlive: false, maxSockets: AT_ONCE });

/** Sends one input as written (raw path, raw headers, raw body). */
function send(base: URL, input: FuzzInput): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: input.method,
        path: input.path,
        headers: input.headers,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Enough of the body to judge its shape.
          if (size < 64 * 1024) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(input.body);
  });
}

/** The path as the router sees it (percent-decoded where it decodes), lower case. */
function routedPath(path: string): string {
  const bare = path.split('?')[0]!;
  try {
    return decodeURIComponent(bare).toLowerCase();
  } catch {
    return bare.toLowerCase();
  }
}

/** The portal's 503 in a checkout where it was not built (a deployment state, not a fault). */
const portalNotBuilt = (input: FuzzInput, answer: Answer) =>
  answer.status === 503 && routedPath(input.path).startsWith('/portal');

/** Whether a 4xx answer has the error shape its route documents. */
function documentedError(input: FuzzInput, answer: Answer): boolean {
  const path = routedPath(input.path);
  // HEAD answers have no body.
  if (input.method === 'HEAD') return true;
  // C2SP tlog-witness and tlog-tiles: plain-text errors (409 carries text/x.tlog.size).
  if (path.startsWith('/witness/') || path.startsWith('/logs/')) return true;
  // OpenID Connect (oidc-provider): { error, error_description } (RFC 6749 §5.2), and its own
  // plain 404 for a path it does not serve.
  if (path.startsWith('/oidc') || path.startsWith('/.well-known/openid')) {
    try {
      const body = JSON.parse(answer.body) as { error?: unknown; resourceType?: unknown };
      return typeof body.error === 'string' || body.resourceType === 'OperationOutcome';
    } catch {
      return answer.status === 404 || answer.type.startsWith('text/html');
    }
  }
  // FHIR's XML format, when the caller asked for it.
  if (/<OperationOutcome xmlns="http:\/\/hl7\.org\/fhir">/.test(answer.body)) return true;
  try {
    return (JSON.parse(answer.body) as { resourceType?: unknown }).resourceType === 'OperationOutcome';
  } catch {
    return false;
  }
}

/**
 * Faults this test found outside the paths of its commit, reported to whoever owns them (issue 15).
 * Each is tolerated (and counted) until fixed; FUZZ_STRICT=1 fails on them too. Remove an entry
 * once its fault is fixed.
 */
const OUTSIDE_FINDINGS: readonly {
  readonly what: string;
  /** `failure`: why there was no answer at all. */
  readonly matches: (input: FuzzInput, answer?: Answer, failure?: string) => boolean;
}[] = [];
const STRICT = process.env.FUZZ_STRICT === '1';

describe('the fuzz test of a member node', () => {
  it(`answers ${INPUTS} seeded inputs without a 5xx or a hang, and keeps serving`, async () => {
    const base = new URL(baseOf(node));
    const { keyId, secretKey } = node.membership!.statementKey;
    const context: FuzzContext = {
      patients: ['maria-kz', 'maria-kz-vital-signs-0', 'someone-else'],
      pseudonym: maria.pseudonym,
      cookies: [maria.cookie, professional],
      nodeToken: (over) =>
        issueNodeToken(
          { keyId, secretKey },
          {
            organisation: KRAAMZORG,
            audience: baseOf(node),
            role: 'node',
            purpose: 'treatment',
            ...over,
          },
        ),
      otherAudience: baseOf(region.node(RSO)),
    };
    // One producer makes the inputs in order (so the seed fixes them), while the senders already
    // send the ones made.
    const random = prng(SEED);
    const inputs = Array.from({ length: INPUTS }, () => Promise.withResolvers<FuzzInput>());
    const producing = (async () => {
      for (const slot of inputs) slot.resolve(await fuzzInput(random, context));
    })();

    const known = new Map(OUTSIDE_FINDINGS.map((f) => [f.what, [] as string[]]));
    const outside = (input: FuzzInput, answer?: Answer, failure?: string) => {
      const finding = OUTSIDE_FINDINGS.find((f) => f.matches(input, answer, failure));
      return finding && !STRICT ? known.get(finding.what) : undefined;
    };
    const serverErrors: string[] = [];
    const hangs: string[] = [];
    const shapeless: string[] = [];
    const show = (input: FuzzInput, answer?: Answer) =>
      `${input.method} ${input.path.slice(0, 300)} ${JSON.stringify(
        Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k, v.slice(0, 120)])),
      )} ${JSON.stringify(String(input.body ?? '').slice(0, 200))}${
        answer ? ` → ${answer.status} ${answer.body.slice(0, 160)}` : ''
      }`;
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = await inputs[next++]!.promise;
        try {
          // A connection reset before any answer (the server answered early and closed while the
          // body was still being written) is tried once more; a second one counts as unanswered.
          const answer = await send(base, input).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
            return send(base, input);
          });
          const fault = portalNotBuilt(input, answer)
            ? undefined
            : answer.status >= 500
              ? serverErrors
              : answer.status >= 400 && !documentedError(input, answer)
                ? shapeless
                : undefined;
          if (fault) (outside(input, answer) ?? fault).push(show(input, answer));
        } catch (error) {
          const failure = (error as Error).message;
          (outside(input, undefined, failure) ?? hangs).push(`${show(input)}: ${failure}`);
        }
      }
    };
    const started = Date.now();
    await Promise.all([producing, ...Array.from({ length: AT_ONCE }, worker)]);
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${inputs.length} inputs in ${seconds.toFixed(1)} s (seed ${SEED})`);
    for (const [what, seen] of known)
      if (seen.length)
        console.warn(`fuzz: ${seen.length} × known, outside this test's paths: ${what}\n  e.g. ${seen[0]}`);
    if (process.env.FUZZ_REPORT)
      writeFileSync(
        process.env.FUZZ_REPORT,
        JSON.stringify({ serverErrors, hangs, shapeless, known: Object.fromEntries(known) }, null, 1),
      );

    const health = await fetch(`${baseOf(node)}/healthz`);
    expect(health.status).toBe(200);
    expect({ seed: SEED, serverErrors: serverErrors.slice(0, 20), count: serverErrors.length }).toEqual({
      seed: SEED,
      serverErrors: [],
      count: 0,
    });
    expect({ seed: SEED, hangs: hangs.slice(0, 20) }).toEqual({ seed: SEED, hangs: [] });
    expect({ seed: SEED, shapeless: shapeless.slice(0, 20), count: shapeless.length }).toEqual({
      seed: SEED,
      shapeless: [],
      count: 0,
    });
  }, 240_000);
});
