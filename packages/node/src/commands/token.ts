import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoSystem, demoSystemToken } from '../region/demo-system.ts';
import { UsageError, type Command } from './command.ts';

const DATA_DIR = 'data/demo';

export const tokenCommand: Command = {
  name: 'token',
  summary: "print an access token for the demo region's own system (SMART Backend Services)",
  help: `Usage: ketenlog token [--url <node base URL>] [--data <dir>]

Every request to a node's FHIR API needs a credential. The organisation's own systems (its EHR,
import jobs, scripts) get one through SMART Backend Services: a JWT signed with the system's key,
traded at the node's token endpoint (/oidc/token) for an access token valid 10 minutes. This command
does that for the demo region's system, whose key \`ketenlog start\` keeps in ./data/demo/, and
prints the token, e.g.:

  TOKEN=$(npm run -s ketenlog -- token)
  curl -H "Authorization: Bearer $TOKEN" 'http://localhost:8101/fhir/Patient?name=jans'

  --url <base URL>   the node (default http://localhost:8101, Kraamzorg De Wieg)
  --data <dir>       the demo region's data directory (default ./data/demo)`,
  async run(args) {
    const { values } = parseArgs({ args, options: { url: { type: 'string' }, data: { type: 'string' } } });
    const dataDir = resolve(values.data ?? DATA_DIR);
    if (!existsSync(resolve(dataDir, 'demo-system-key.json')))
      throw new UsageError(
        `ketenlog token: no demo system key in ${dataDir} — start the demo region first (npm start)`,
      );
    const url = (values.url ?? 'http://localhost:8101').replace(/\/$/, '');
    if (!/^https?:\/\/[^/]+$/.test(url))
      throw new UsageError('ketenlog token: --url is a node base URL, e.g. http://localhost:8101');
    console.log(await demoSystemToken(await demoSystem(dataDir), url));
  },
};
