import { parseArgs } from 'node:util';
import { loadRegionConfig } from '@ketenlog/region';
import { resolve } from 'node:path';
import { demoCredentialsOf } from '../auth/node-auth.ts';
import { DEMO_REGION_FILE } from '../region/testing.ts';
import type { Command } from './command.ts';

export const demoLoginsCommand: Command = {
  name: 'demo-logins',
  summary: "print every demo professional's login (password and TOTP secret) — DEMO ONLY",
  help: `Usage: ketenlog demo-logins [--region <region.yaml>]

Prints, for every professional of the demo region, her organisation, role, id, demo password and
TOTP secret (add it to an authenticator app, or compute a code with any TOTP tool). The credentials
are derived from the id and are the same on every run: DEMO ONLY.
  --region <file>     another region file (default: packages/region/config/demo-region.yaml)`,
  async run(args) {
    const { values } = parseArgs({ args, options: { region: { type: 'string' } } });
    const config = loadRegionConfig(values.region ? resolve(values.region) : DEMO_REGION_FILE);
    for (const p of config.professionals) {
      const organisation = config.organisations.find((o) => o.ura === p.organisation);
      const { password, totpSecret } = demoCredentialsOf(p.id);
      console.log(
        `${organisation?.name ?? p.organisation}\t${p.role}\t${p.id}\t${p.name}\tpassword ${password}\tTOTP secret ${totpSecret}`,
      );
    }
  },
};
