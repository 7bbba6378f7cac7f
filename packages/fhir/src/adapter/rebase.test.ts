import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { rebaseBundle, rebaseUrl } from './rebase.ts';

const REMOTE = 'https://ehr.example.nl/fhir';
const LOCAL = 'http://node.example/fhir';

describe('rebaseUrl', () => {
  it('moves the base itself and what lies under it, with a path, a query or a fragment', () => {
    expect(rebaseUrl(REMOTE, REMOTE, LOCAL)).toBe(LOCAL);
    expect(rebaseUrl(`${REMOTE}/Patient/1`, REMOTE, LOCAL)).toBe(`${LOCAL}/Patient/1`);
    expect(rebaseUrl(`${REMOTE}?_getpages=abc`, `${REMOTE}/`, LOCAL)).toBe(`${LOCAL}?_getpages=abc`);
  });

  it('leaves a URL alone that only shares a prefix with the base, or is elsewhere', () => {
    expect(rebaseUrl(`${REMOTE}2/Patient/1`, REMOTE, LOCAL)).toBe(`${REMOTE}2/Patient/1`);
    expect(rebaseUrl('urn:uuid:1', REMOTE, LOCAL)).toBe('urn:uuid:1');
    expect(rebaseUrl('Patient/1', REMOTE, LOCAL)).toBe('Patient/1');
    expect(rebaseUrl(undefined, REMOTE, LOCAL)).toBeUndefined();
  });
});

describe('rebaseBundle', () => {
  it('moves links, fullUrls and response locations, and nothing inside the resources', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: `${REMOTE}/Patient?_count=1&_offset=1` }],
      entry: [
        {
          fullUrl: `${REMOTE}/Patient/1`,
          resource: {
            resourceType: 'Patient',
            id: '1',
            link: [{ type: 'seealso', other: { reference: `${REMOTE}/Patient/2` } }],
          },
          response: { status: '201', location: `${REMOTE}/Patient/1/_history/1` },
        },
        { search: { mode: 'outcome' } },
      ],
    };
    const moved = rebaseBundle(bundle, REMOTE, LOCAL);
    expect(moved.link?.[0]?.url).toBe(`${LOCAL}/Patient?_count=1&_offset=1`);
    expect(moved.entry?.[0]?.fullUrl).toBe(`${LOCAL}/Patient/1`);
    expect(moved.entry?.[0]?.response?.location).toBe(`${LOCAL}/Patient/1/_history/1`);
    expect(moved.entry?.[0]?.resource).toBe(bundle.entry?.[0]?.resource);
    expect(moved.entry?.[1]).toEqual({ search: { mode: 'outcome' } });
    expect(bundle.link?.[0]?.url.startsWith(REMOTE)).toBe(true);
  });
});
