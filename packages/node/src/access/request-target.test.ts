import { describe, expect, it } from 'vitest';
import { normaliseRequestTarget } from './request-target.ts';

const url = (target: string) => {
  const result = normaliseRequestTarget(target);
  return result.ok ? result.url : `refused: ${result.reason}`;
};

describe('the request target every guard and the router see', () => {
  it('leaves ordinary targets as they are, query strings included', () => {
    for (const target of [
      '/',
      '/fhir/Patient',
      '/fhir/Patient?name=jans&_count=10',
      '/fhir/Patient/p-1/$everything',
      '/portal/',
      '/fhir/Observation?code=http://loinc.org|85354-9&subject=Patient/a%2Fb',
    ]) {
      expect(url(target)).toBe(target);
    }
  });

  it('decodes encoded unreserved characters, so /%66hir is /fhir for everyone', () => {
    expect(url('/%66hir/Patient')).toBe('/fhir/Patient');
    expect(url('/fhi%72/Patient/%70-1')).toBe('/fhir/Patient/p-1');
    expect(url('/fhir/Patient/p-1/%24everything')).toBe('/fhir/Patient/p-1/$everything');
    expect(url('/%46HIR/Patient')).toBe('/FHIR/Patient'); // a different path: not a route
    expect(url('/carelog/carers/pro%3Aanna-jansen/keys')).toBe('/carelog/carers/pro:anna-jansen/keys');
  });

  it('refuses every spelling a guard and a router could read differently', () => {
    for (const target of [
      '/fhir%2FPatient',
      '/fhir/Patient%2f1',
      '/fhir/%252e%252e/auth',
      '/fhir/%2e%2e/auth',
      '/fhir/../auth',
      '/fhir/./Patient',
      '/fhir//Patient',
      '//fhir/Patient',
      '/fhir;x=1/Patient',
      '/fhir/Patient;jsessionid=1',
      '/fhir/Patient%3Bjsessionid=1',
      '/fhir/Patient%20x',
      '/fhir\\Patient',
      '/fhir/Patient%3Fx',
      '/fhir/Patient%',
      '/fhir/Patient%zz',
      '/fhir/Patient#frag',
      'http://evil.example/fhir/Patient',
      '*',
      '/fhir/Pati\u00e9nt',
      '/fhir/Patient\u0000',
      `/fhir/${'a'.repeat(20_000)}`,
    ]) {
      expect(url(target), target).toMatch(/^refused: /);
    }
  });
});
