import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  fail,
  installErrorHandlers,
  malformedJsonText,
  ok,
  outcomeOf,
  problem,
  PROBLEM_SYSTEM,
} from './index.ts';

describe('the one error model', () => {
  it('gives a FHIR issue type as the issue code, and a package code as a coding beside it', () => {
    expect(outcomeOf({ status: 403, code: 'forbidden', text: 'Geen toegang.' })).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Geen toegang.' }],
    });
    const own = outcomeOf({ status: 422, code: 'entry-over-budget', text: 'Meer uren dan geïndiceerd.' });
    expect(own.issue?.[0]).toEqual({
      severity: 'error',
      code: 'business-rule',
      diagnostics: 'Meer uren dan geïndiceerd.',
      details: {
        coding: [{ system: PROBLEM_SYSTEM, code: 'entry-over-budget' }],
        text: 'Meer uren dan geïndiceerd.',
      },
    });
  });

  it('returns values and problems in one Result shape', () => {
    const good = ok(3);
    const bad = fail(409, 'conflict', 'Bestaat al.');
    expect(good).toEqual({ ok: true, value: 3 });
    expect(bad).toEqual({ ok: false, problem: { status: 409, code: 'conflict', text: 'Bestaat al.' } });
  });

  it('never quotes a malformed body back', () => {
    let error: Error | undefined;
    try {
      JSON.parse('{"bsn": 999911120x}');
    } catch (e) {
      error = e as Error;
    }
    try {
      JSON.parse('x999911120');
    } catch (e) {
      expect(malformedJsonText(e as Error)).not.toContain('999911120');
    }
    expect(malformedJsonText(error!)).toMatch(/^Malformed JSON: .*position/);
  });

  it('answers thrown problems, refused bodies and surprises as OperationOutcomes', async () => {
    const app = Fastify();
    installErrorHandlers(app);
    app.get('/problem', async () => {
      throw problem(404, 'declaration-unknown', 'Declaratie d1 is onbekend.');
    });
    app.post('/schema', { schema: { body: { type: 'object', required: ['a'] } } }, async () => 'ok');
    app.get('/crash', async () => {
      throw new Error('secret internals');
    });
    const thrown = await app.inject({ method: 'GET', url: '/problem' });
    expect(thrown.statusCode).toBe(404);
    expect(thrown.json().issue[0]).toMatchObject({
      code: 'not-found',
      diagnostics: 'Declaratie d1 is onbekend.',
      details: { coding: [{ code: 'declaration-unknown' }] },
    });
    const schema = await app.inject({ method: 'POST', url: '/schema', payload: {} });
    expect(schema.statusCode).toBe(400);
    expect(schema.json().issue[0].diagnostics).toMatch(/^Ongeldige invoer/);
    const crash = await app.inject({ method: 'GET', url: '/crash' });
    expect(crash.statusCode).toBe(500);
    expect(crash.body).not.toContain('secret internals');
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().resourceType).toBe('OperationOutcome');
    await app.close();
  });
});
