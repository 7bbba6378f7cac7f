// A node serving HTTPS from a certificate named in its configuration.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { loadFhirModel, startNode } from './server.ts';

function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'node.crt');
  const key = join(dir, 'node.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

const get = (url: string, ca: Buffer) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    request(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });

describe('TLS', () => {
  it('serves the FHIR API over HTTPS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-tls-'));
    const { cert } = selfSigned(dir);
    const file = join(dir, 'org.yaml');
    writeFileSync(
      file,
      `node: tls-test
organisation: { ura: "00000009", name: Testpraktijk, type: huisarts }
listen: { host: 127.0.0.1, port: 0 }
database: ./fhir.sqlite
log: { level: fatal }
tls: { cert: node.crt, key: node.key }
`,
    );
    const node = await startNode(loadConfig(file), { model: loadFhirModel() });
    try {
      expect(node.fhirBase).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fhir$/);
      const metadata = await get(`${node.fhirBase}/metadata`, readFileSync(cert));
      expect(metadata.status).toBe(200);
      expect(JSON.parse(metadata.body).resourceType).toBe('CapabilityStatement');
    } finally {
      await node.close();
    }
  });

  it('names the field when a certificate file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketenlog-tls-'));
    const file = join(dir, 'org.yaml');
    writeFileSync(
      file,
      `node: tls-test
organisation: { ura: "00000009", name: Testpraktijk, type: huisarts }
database: ./fhir.sqlite
tls: { cert: missing.crt, key: missing.key }
`,
    );
    await expect(startNode(loadConfig(file), { model: loadFhirModel() })).rejects.toThrow(ConfigError);
    await expect(startNode(loadConfig(file), { model: loadFhirModel() })).rejects.toThrow(/tls\.cert/);
  });
});
