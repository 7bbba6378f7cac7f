// Identity wired into a region member: a client enrols a passkey after the (demo) identity check,
// which the node binds on its log; she signs a consent with it, which the other nodes' witnesses
// verify as a WebAuthn assertion and fold into their state; a demo professional logs in with
// password + TOTP.
import type { Patient } from '@medplum/fhirtypes';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';
import { demoCredentialsOf } from './node-auth.ts';
import { enrolAndLogIn, logInProfessional } from './testing.ts';
import { systemAuthorization } from '../region/demo-system.ts';

let region: RunningRegion;
let kraamzorg: RunningNode;
const MARIA = 'pMaria-0000000000000001';

beforeAll(async () => {
  region = await startRegion({
    ...(await demoRegionOnFreePorts({ members: 5, quorum: 3 })),
    logLevel: 'fatal',
    parts: { logbook: { mirrorIntervalMs: 200, finalityRetryMs: 100 } },
  });
  kraamzorg = region.node('11110001');
}, 60_000);
afterAll(async () => region?.close());

describe('identity at a region member', () => {
  it('a client enrols a passkey, and her signed consent is logged, final and known across the region', async () => {
    const { session, authenticator, keyId } = await enrolAndLogIn(kraamzorg.fhirBase.replace(/\/fhir$/, ''));
    // The node bound her passkey with a key statement on its log.
    const bound = await kraamzorg.logbook!.sequencer.store.readEntries(0, kraamzorg.logbook!.sequencer.size);
    expect(bound.some((e) => new TextDecoder().decode(e.entry).includes(keyId))).toBe(true);
    const post = (url: string, payload: unknown, cookie: string) =>
      kraamzorg.app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as object });

    // She grants the hospital access to her medication for treatment, signing with her passkey.
    const draft = {
      kind: 'consent',
      body: { decision: 'grant', grantee: 'ura:11110003', category: 'medication', purpose: 'treatment' },
    };
    const begun = await post('/auth/passkeys/statements/options', { draft }, session);
    expect(begun.statusCode).toBe(200);
    const { statement, options: signing } = begun.json();
    expect(statement.author).toBe(keyId);
    const signed = await post(
      '/auth/passkeys/statements/sign',
      { statement, response: authenticator.get(signing) },
      session,
    );
    expect(signed.statusCode).toBe(200);
    const { index } = signed.json().receipt as { index: number };
    expect(await kraamzorg.logbook!.waitFinal(index, 10_000)).toBe(true);

    // Every other member's witness verified her passkey signature and folded the consent.
    const hospital = region.node('11110003');
    await expect
      .poll(() => hospital.logbook!.state.consents.get(MARIA) !== undefined, { timeout: 10_000 })
      .toBe(true);
  });

  it('a demo professional logs in with password and TOTP, and a wrong code is refused', async () => {
    const { password, totpSecret } = demoCredentialsOf('pro:anna-jansen');
    const login = (totp: string) =>
      kraamzorg.app.inject({
        method: 'POST',
        url: '/auth/professionals/login',
        payload: { id: 'pro:anna-jansen', password, totp },
      });
    expect((await login('000000')).statusCode).toBe(401);
    const ok = await login(await generate({ secret: totpSecret }));
    expect(ok.statusCode).toBe(200);
    const me = await kraamzorg.app.inject({
      url: '/auth/session',
      headers: { cookie: String(ok.headers['set-cookie']).split(';')[0] },
    });
    expect(me.json()).toMatchObject({ principal: { kind: 'professional' } });
  });

  it('answers Patient/$match to a professional of this organisation only, grading the candidates', async () => {
    const base = kraamzorg.fhirBase.replace(/\/fhir$/, '');
    const bsn = { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990044' };
    const { resource: stored } = await kraamzorg.repository.create<Patient>({
      resourceType: 'Patient',
      identifier: [bsn],
      name: [{ family: 'Bakker', given: ['Fleur'] }],
      birthDate: '1991-05-05',
    });
    const match = (cookie: string, patient: object) =>
      fetch(`${base}/fhir/Patient/$match`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', cookie },
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'resource', resource: patient }],
        }),
      });
    const query = {
      resourceType: 'Patient',
      identifier: [bsn],
      name: [{ family: 'Bakker', given: ['Fleur'] }],
    };
    expect((await match('', query)).status).toBe(401);
    const karin = await logInProfessional(base, 'pro:karin-dewit');
    const answer = await match(karin, query);
    expect(answer.status).toBe(200);
    const bundle = await answer.json();
    expect(bundle.entry[0]).toMatchObject({
      resource: { id: stored.id },
      search: { mode: 'match', extension: [{ valueCode: 'certain' }] },
    });
    expect((await match(karin, { resourceType: 'Observation' })).status).toBe(400);
    // Creating another person under her BSN is refused over HTTP, naming the conflict.
    const impostor = await fetch(`${kraamzorg.fhirBase}/Patient`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        authorization: await systemAuthorization(kraamzorg),
      },
      body: JSON.stringify({ ...query, name: [{ family: 'Visser', given: ['Noor'] }] }),
    });
    expect(impostor.status).toBe(409);
    expect((await impostor.json()).issue[0].diagnostics).toMatch(`already belongs to Patient/${stored.id}`);
  });
});
