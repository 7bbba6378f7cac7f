// This node as a holder that asks Mitz, the national consent service (issue 22 item 3): the
// holder's guard asks the closed question about another organisation's treatment request
// (through the connector: answers kept for a short while, the client's subscription placed on
// first use), the PDP weighs the answer against her region consents (exchange/pdp.ts), and Mitz's
// notifications of a changed choice arrive at `POST /national/mitz/notify` (the published
// notification bundle, XML or JSON) and end the kept answers for her. Mitz's answer is only ever
// one more decision: an unreachable Mitz leaves the region's consents to decide alone.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { FhirDefinitions, parseFhirXml } from '@ketenlog/fhir';
import type { NationalAnswer, NationalConsent } from '@ketenlog/exchange';
import {
  facilityTypeOf,
  InvalidNotification,
  MitzClient,
  MitzConnector,
  mutualTlsFetch,
  parseNotification,
  uziRoleOf,
  type ClosedQuestion,
} from '@ketenlog/national';
import type { Membership } from '../region/membership.ts';
import type { MitzConfig } from './national-config.ts';
import { replyOutcome } from '@ketenlog/problem';

export const MITZ_NOTIFY_PATH = '/national/mitz/notify';

export interface NationalConsentOptions {
  readonly config: MitzConfig;
  readonly membership: Membership;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
}

const ANSWERS: Readonly<Record<string, NationalAnswer>> = { Permit: 'permit', Deny: 'deny' };

export async function registerNationalConsent(
  app: FastifyInstance,
  options: NationalConsentOptions,
): Promise<NationalConsent> {
  const { config, membership, log } = options;
  const { organisation } = membership;
  const fetch =
    options.fetch ??
    (config.tls
      ? mutualTlsFetch({
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
          ...(config.tls.ca ? { ca: readFileSync(config.tls.ca) } : {}),
        })
      : undefined);
  const connector = new MitzConnector({
    client: new MitzClient({ base: config.url, ...(fetch ? { fetch } : {}) }),
    notifyEndpoint:
      config.notifyEndpoint ?? `${organisation.node.baseUrl.replace(/\/$/, '')}${MITZ_NOTIFY_PATH}`,
    ...(config.gatewaySystem ? { gatewaySystem: config.gatewaySystem } : {}),
    ...(config.sourceSystem ? { sourceSystem: config.sourceSystem } : {}),
    cacheMs: (config.cacheSeconds ?? 300) * 1000,
    onSubscriptionFailure: (error) => log.warn({ err: error.message }, 'mitz: subscription not placed'),
  });

  let definitions: FhirDefinitions | undefined;
  await app.register(async (scope) => {
    // Mitz posts the notification as FHIR XML (the subscription may ask for JSON): both as text here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      /^(application\/(fhir\+)?(xml|json)|text\/xml)/,
      { parseAs: 'string' },
      (_r, body, done) => done(null, body),
    );
    scope.post(MITZ_NOTIFY_PATH, { bodyLimit: 1024 * 1024 }, async (request, reply) => {
      const text = String(request.body ?? '');
      let changes;
      try {
        const resource = /xml/.test(request.headers['content-type'] ?? '')
          ? parseFhirXml(text, (definitions ??= FhirDefinitions.load()))
          : (JSON.parse(text) as unknown);
        changes = parseNotification(resource);
      } catch (error) {
        const message = error instanceof InvalidNotification ? error.message : 'geen leesbare FHIR-Bundle';
        return replyOutcome(reply, 400, 'invalid', `Mitz-notificatie: ${message}`);
      }
      // No BSN in the log: how many clients, and that their kept answers are gone.
      log.info({ clients: connector.changed(changes) }, 'mitz: consent changed');
      return reply
        .code(200)
        .type('application/fhir+json')
        .send({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'information', code: 'informational', diagnostics: 'ontvangen' }],
        });
    });
  });

  return async (question) => {
    // Mitz (OTV) speaks about treatment by care providers; for anything else it is not asked.
    const holderType = facilityTypeOf(question.holder.type);
    const requesterType = facilityTypeOf(question.requester.type);
    if (question.purpose !== 'treatment' || !holderType || !requesterType) return undefined;
    const closed: ClosedQuestion = {
      bsn: question.bsn,
      holder: { ura: question.holder.ura, facilityType: holderType },
      requester: {
        ura: question.requester.ura,
        facilityType: requesterType,
        role: uziRoleOf(question.requester.role, config.roles),
        professional: question.professional,
      },
      purpose: 'TREAT',
    };
    try {
      return ANSWERS[await connector.decide(closed)];
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'mitz: no answer; the region consents decide alone');
      return undefined;
    }
  };
}
