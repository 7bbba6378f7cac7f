import { loadRegionConfig } from '@ketenlog/region';
import { describe, expect, it } from 'vitest';
import { regionRelyingParties, relyingPartyOf } from './relying-parties.ts';

describe('relying parties', () => {
  it('uses the host name as RP ID, and localhost for a loopback node', () => {
    expect(relyingPartyOf('https://kraamzorg.example/')).toEqual({
      rpId: 'kraamzorg.example',
      origins: ['https://kraamzorg.example'],
    });
    expect(relyingPartyOf('http://127.0.0.1:8101')).toEqual({
      rpId: 'localhost',
      origins: ['http://localhost:8101'],
    });
    expect(() => relyingPartyOf('https://10.0.0.5')).toThrow(/domain name/);
  });

  it('lists every member node of the demo region', () => {
    const config = loadRegionConfig(
      new URL('../../../region/config/demo-region.yaml', import.meta.url).pathname,
    );
    expect(regionRelyingParties(config).map((rp) => rp.origins[0])).toEqual([
      'http://localhost:8101',
      'http://localhost:8102',
      'http://localhost:8103',
      'http://localhost:8104',
      'http://localhost:8105',
      'http://localhost:8106',
      'http://localhost:8107',
      'http://localhost:8108',
      'http://localhost:8109',
      'http://localhost:8110',
    ]);
  });
});
