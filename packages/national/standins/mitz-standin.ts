// A stand-in for Mitz, run as its own process (tests start it with mitz-standin-process.ts):
// the closed question (`POST /geslotenautorisatievraag/xacml3`, SOAP/XACML as in the published
// example), subscriptions (`POST /abonnementen/fhir/Subscription`, Mitz's validation rules, 201
// with a Location) and notifications: when a client's choice changes (`POST /standin/choices`, the
// citizen's portal), every subscription for her BSN gets the published notification bundle with
// her BSN and the holder's URA in it. Answers follow the choices given at start and since.
// Usage: node mitz-standin.ts <config.json>; prints `READY <base URL>` once listening.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  decisionXml,
  InvalidMitzMessage,
  readClosedQuestion,
  type ClosedQuestion,
  type MitzDecision,
} from '../src/mitz/closed-question.ts';
import { otvSubscriptionProblems } from '../src/mitz/subscription.ts';

/** A client's choice as the stand-in keeps it: for one consulting facility type, or for all. */
export interface StandinChoice {
  readonly bsn: string;
  readonly consultingFacilityType?: string;
  readonly decision: MitzDecision;
}

export interface MitzStandinConfig {
  readonly choices: readonly StandinChoice[];
  /** Answered when no choice matches. Default NotApplicable (she made none). */
  readonly otherwise?: MitzDecision;
  /** Closed questions whose BSN is here get HTTP 500 (Mitz failing). */
  readonly failFor?: readonly string[];
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as MitzStandinConfig;
const choices: StandinChoice[] = [...config.choices];
const questions: ClosedQuestion[] = [];
const subscriptions = new Map<string, { bsn: string; holder: string; endpoint: string }>();
const EXAMPLE = readFileSync(
  join(import.meta.dirname, '../src/mitz/testdata/notification.example.xml'),
  'utf8',
);

function answer(q: ClosedQuestion): MitzDecision {
  const specific = choices.findLast(
    (c) => c.bsn === q.bsn && c.consultingFacilityType === q.requester.facilityType,
  );
  const general = choices.findLast((c) => c.bsn === q.bsn && c.consultingFacilityType === undefined);
  return (specific ?? general)?.decision ?? config.otherwise ?? 'NotApplicable';
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, type: string, text: string, headers = {}): void {
  response.writeHead(status, { 'content-type': type, ...headers }).end(text);
}

const outcome = (code: string, diagnostics: string) =>
  JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });

/** The published notification, about this client and this holder. */
const notification = (bsn: string, holder: string) =>
  EXAMPLE.replaceAll('900186021', bsn)
    .replaceAll('00000659', holder)
    .replace(/<id value="a508cfaa[^"]*"\/>/, `<id value="${randomUUID()}"/>`);

async function notify(bsn: string): Promise<number> {
  let sent = 0;
  for (const s of subscriptions.values()) {
    if (s.bsn !== bsn) continue;
    const response = await fetch(s.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+xml' },
      body: notification(bsn, s.holder),
    }).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.ok) sent++;
  }
  return sent;
}

const server = createServer((request, response) => {
  void (async () => {
    const path = request.url ?? '';
    const text = await body(request);
    if (request.method === 'POST' && path === '/geslotenautorisatievraag/xacml3') {
      if (!/xml/.test(request.headers['content-type'] ?? ''))
        return send(response, 415, 'text/plain', 'a SOAP 1.2 XML body is expected');
      let q: ClosedQuestion;
      try {
        q = readClosedQuestion(text);
      } catch (error) {
        if (error instanceof InvalidMitzMessage) return send(response, 400, 'text/plain', error.message);
        throw error;
      }
      questions.push(q);
      if (config.failFor?.includes(q.bsn)) return send(response, 500, 'text/plain', 'interne fout');
      return send(response, 200, 'application/soap+xml', decisionXml(answer(q)));
    }
    if (request.method === 'POST' && path === '/abonnementen/fhir/Subscription') {
      let subscription: unknown;
      try {
        subscription = JSON.parse(text);
      } catch {
        return send(response, 400, 'application/fhir+json', outcome('invalid', 'not JSON'));
      }
      const problems = otvSubscriptionProblems(subscription);
      if (problems.length)
        return send(response, 422, 'application/fhir+json', outcome('business-rule', problems.join('; ')));
      const s = subscription as { criteria: string; channel: { endpoint: string } };
      const criteria = new URLSearchParams(s.criteria.split('?')[1]);
      const id = randomUUID();
      subscriptions.set(id, {
        bsn: criteria.get('patientid')!,
        holder: criteria.get('providerid')!,
        endpoint: s.channel.endpoint,
      });
      return send(response, 201, 'application/fhir+json', JSON.stringify({ ...s, id, status: 'active' }), {
        location: `Subscription/${id}`,
      });
    }
    if (request.method === 'POST' && path === '/standin/choices') {
      const choice = JSON.parse(text) as StandinChoice;
      choices.push(choice);
      return send(response, 200, 'application/json', JSON.stringify({ notified: await notify(choice.bsn) }));
    }
    if (request.method === 'GET' && path === '/standin/questions')
      return send(response, 200, 'application/json', JSON.stringify(questions));
    if (request.method === 'GET' && path === '/standin/subscriptions')
      return send(response, 200, 'application/json', JSON.stringify([...subscriptions.values()]));
    send(response, 404, 'text/plain', 'not found');
  })().catch((error: unknown) => send(response, 500, 'text/plain', String(error)));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`READY http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
