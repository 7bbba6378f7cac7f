// The connector reaches Mitz only with the organisation's client certificate: against an HTTPS
// server that demands one (as Mitz does), with it the closed question is answered, without it the
// connection is refused and the connector reports Mitz unavailable.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionXml, type ClosedQuestion } from './closed-question.ts';
import { MitzClient, MitzUnavailable } from './mitz-client.ts';
import { mutualTlsFetch } from './mutual-tls-fetch.ts';

function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const [cert, key] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1']
      .concat(['-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'])
      .concat(['-keyout', key, '-out', cert]),
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

const QUESTION: ClosedQuestion = {
  bsn: '900186021',
  holder: { ura: '00000659', facilityType: 'Z3' },
  requester: { ura: '00000666', facilityType: 'Z3', role: '01.015', professional: '000095254' },
  purpose: 'TREAT',
};

let server: Server;
let base: string;
let mitz: { cert: string; key: string };
let organisation: { cert: string; key: string };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ketenlog-mtls-'));
  mitz = selfSigned(dir, 'mitz');
  organisation = selfSigned(dir, 'organisation');
  // Mitz's side: only the whitelisted organisation's certificate gets in.
  server = createServer(
    { ...mitz, ca: organisation.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      req
        .resume()
        .on('end', () =>
          res.writeHead(200, { 'content-type': 'application/soap+xml' }).end(decisionXml('Permit')),
        );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('mutual TLS to Mitz', () => {
  it('asks the closed question with the organisation certificate', async () => {
    const client = new MitzClient({ base, fetch: mutualTlsFetch({ ...organisation, ca: mitz.cert }) });
    expect(await client.ask(QUESTION)).toBe('Permit');
  });

  it('is refused without a whitelisted certificate, and then reports Mitz unavailable', async () => {
    const stranger = selfSigned(mkdtempSync(join(tmpdir(), 'ketenlog-mtls-')), 'stranger');
    const client = new MitzClient({ base, fetch: mutualTlsFetch({ ...stranger, ca: mitz.cert }) });
    await expect(client.ask(QUESTION)).rejects.toThrow(MitzUnavailable);
  });

  it('does not accept a server certificate it was not told to trust', async () => {
    const client = new MitzClient({ base, fetch: mutualTlsFetch(organisation) });
    await expect(client.ask(QUESTION)).rejects.toThrow(MitzUnavailable);
  });
});
