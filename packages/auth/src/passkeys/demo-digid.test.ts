import { describe, expect, it } from 'vitest';
import { DEMO_DIGID_LABEL, DemoDigiD } from './demo-digid.ts';
import { MemoryEphemeralStore } from '@ketenlog/storage';

describe('DemoDigiD', () => {
  it('redeems a code once, within a minute, and only for a demo person', async () => {
    let now = 0;
    const digid = new DemoDigiD(
      [{ bsn: '999911120', name: 'Maria <script>' }],
      new MemoryEphemeralStore(),
      '/auth/demo-digid',
      () => now,
    );
    expect(digid.label).toBe(DEMO_DIGID_LABEL);
    expect((await digid.start('s', '/cb')).redirectTo).toBe('/auth/demo-digid?state=s&callback=%2Fcb');
    expect(digid.page('s', '/cb')).not.toContain('<script>');
    expect(await digid.authorize('123456782')).toBeUndefined();
    const code = (await digid.authorize('999911120'))!;
    expect(await digid.complete({ code })).toEqual({
      bsn: '999911120',
      assurance: 'substantial',
      provider: 'demo-digid',
    });
    expect(await digid.complete({ code })).toBeUndefined();
    const late = (await digid.authorize('999911120'))!;
    now += 60_000;
    expect(await digid.complete({ code: late })).toBeUndefined();
    expect(await digid.complete({})).toBeUndefined();
  });
});
