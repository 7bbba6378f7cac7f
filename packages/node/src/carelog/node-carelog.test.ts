// Mijn Zorg Log wired into a region member: the care administration records an indication over
// HTTP (signed by the organisation's node, logged, final, folded by every node), the budget is
// explained line by line, and the routes refuse whoever may not act.
import type { LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { currentIndication } from '@ketenlog/region';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentialsOf } from '../auth/node-auth.ts';
import { startRegion, type RunningRegion } from '../region/run-region.ts';
import { demoRegionOnFreePorts } from '../region/testing.ts';
import type { RunningNode } from '../server.ts';

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

const cookieOf = (response: LightMyRequestResponse) => String(response.headers['set-cookie']).split(';')[0]!;

async function professional(node: RunningNode, id: string): Promise<string> {
  const { password, totpSecret } = demoCredentialsOf(id);
  const login = await node.app.inject({
    method: 'POST',
    url: '/auth/professionals/login',
    payload: { id, password, totp: await generate({ secret: totpSecret }) },
  });
  expect(login.statusCode).toBe(200);
  return cookieOf(login);
}

const indication = {
  indication: 'ind-maria-2026',
  subject: MARIA,
  birthDate: '2026-11-20',
  carePackage: 'basis-borstvoeding',
  days: 8,
  carers: ['pro:anna-jansen'],
};

describe('Mijn Zorg Log at a region member', () => {
  it('the care administration records an indication; every node folds it; the budget is explained', async () => {
    const cookie = await professional(kraamzorg, 'pro:karin-dewit');
    const created = await kraamzorg.app.inject({
      method: 'POST',
      url: '/carelog/indications',
      headers: { cookie },
      payload: indication,
    });
    expect(created.statusCode, created.body).toBe(201);
    const budget = await kraamzorg.app.inject({
      url: '/carelog/indications/ind-maria-2026/budget',
      headers: { cookie },
    });
    expect(budget.statusCode).toBe(200);
    expect(budget.json()).toMatchObject({ budgetMinutes: 49 * 60 });
    // The other members' witnesses judged it and their state holds it.
    const insurer = region.node('11110004');
    await expect
      .poll(() => currentIndication(insurer.logbook!.state.carelog, 'ind-maria-2026')?.hours, {
        timeout: 10_000,
      })
      .toBe(49);
  });

  it('refuses whoever may not act, with a Dutch OperationOutcome', async () => {
    const anonymous = await kraamzorg.app.inject({
      method: 'POST',
      url: '/carelog/indications',
      payload: indication,
    });
    expect(anonymous.statusCode).toBe(403);
    expect(anonymous.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(anonymous.body).toContain('Log eerst in');
    // A carer may not record indications; an insurer's assessor may not read a client's file here.
    const anna = await professional(kraamzorg, 'pro:anna-jansen');
    const byCarer = await kraamzorg.app.inject({
      method: 'POST',
      url: '/carelog/indications',
      headers: { cookie: anna },
      payload: { ...indication, indication: 'ind-other' },
    });
    expect(byCarer.statusCode).toBe(403);
    const insurer = region.node('11110004');
    const dirk = await professional(insurer, 'pro:dirk-smit');
    const elsewhere = await insurer.app.inject({
      url: '/carelog/indications/ind-maria-2026',
      headers: { cookie: dirk },
    });
    expect(elsewhere.statusCode).toBe(403);
    // Her own insurer's view, at her own node, is open to her.
    const view = await insurer.app.inject({
      url: '/carelog/insurers/11110004/entries',
      headers: { cookie: dirk },
    });
    expect(view.statusCode).toBe(200);
  });
});
