import type { FastifyInstance } from 'fastify';
import { malformedJsonText } from '@ketenlog/problem';
import { ProblemError, outcome } from '../outcome.ts';

/**
 * FHIR JSON bodies (application/fhir+json or application/json) and form bodies for
 * POST [type]/_search. Any other media type is refused with 415; the FHIR routes add XML
 * (application/fhir+xml) in their own context, where the definitions to read it are known.
 */
export function installContentParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/fhir+json', 'application/json'],
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        done(
          new ProblemError(400, outcome('error', 'structure', malformedJsonText(error as Error))),
          undefined,
        );
      }
    },
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    },
  );
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(
      new ProblemError(
        415,
        outcome(
          'error',
          'not-supported',
          `Unsupported content type "${request.headers['content-type']}"; use application/fhir+json`,
        ),
      ),
      undefined,
    );
  });
}

/** The two FHIR formats this server reads and writes (R4 §3.1.0.1.10, http.html#mime-type). */
export type FhirFormat = 'json' | 'xml';

const JSON_TYPES = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);
const XML_TYPES = new Set([
  'xml',
  'text/xml',
  'application/xml',
  'application/fhir+xml',
  'application/xml+fhir',
]);

export const FHIR_XML = 'application/fhir+xml; charset=utf-8';

function formatOf(mediaType: string): FhirFormat | undefined {
  const [essence = ''] = mediaType.split(';');
  const type = essence.trim().toLowerCase();
  if (JSON_TYPES.has(type) || type === '*/*' || type === 'application/*') return 'json';
  if (XML_TYPES.has(type)) return 'xml';
  return undefined;
}

/**
 * The format of the answer: `_format` when given (it overrides Accept, R4 http.html#mime-type),
 * else the most preferred acceptable media type of `Accept`, else JSON. A request that accepts
 * neither JSON nor XML gets 406 with an OperationOutcome (in JSON, which it did not ask for, but
 * which is the only body that explains the refusal).
 */
export function negotiateFormat(accept: string | undefined, format: string | undefined): FhirFormat {
  if (format !== undefined && format !== '') {
    const chosen = formatOf(format);
    if (!chosen) throw notAcceptable(`_format "${format}" is not supported; use json or xml`);
    return chosen;
  }
  if (!accept?.trim()) return 'json';
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const q = /;\s*q=([0-9.]+)/.exec(part)?.[1];
      return { format: formatOf(part), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const chosen = ranges.find((r) => r.format !== undefined)?.format;
  if (!chosen)
    throw notAcceptable(
      `Accept "${accept}" names no format this server serves; use application/fhir+json or application/fhir+xml`,
    );
  return chosen;
}

const notAcceptable = (diagnostics: string): ProblemError =>
  new ProblemError(406, outcome('error', 'not-supported', diagnostics));
