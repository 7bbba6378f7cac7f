import type { FastifyInstance } from 'fastify';
import { FhirError, outcome } from '../outcome.ts';

/**
 * FHIR JSON bodies (application/fhir+json or application/json) and form bodies for
 * POST [type]/_search. Any other media type is refused with 415.
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
        done(new FhirError(400, outcome('error', 'structure', `Malformed JSON: ${(error as Error).message}`)), undefined);
      }
    },
  );
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(
      new FhirError(
        415,
        outcome('error', 'not-supported', `Unsupported content type "${request.headers['content-type']}"; use application/fhir+json`),
      ),
      undefined,
    );
  });
}
