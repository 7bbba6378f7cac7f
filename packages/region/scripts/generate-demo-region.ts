// Writes config/demo-region.yaml (public DEMO keys) and config/demo-region.secrets.json (the
// matching DEMO secret keys). Run: node packages/region/scripts/generate-demo-region.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateDemoRegion } from '../src/config/demo-region.ts';

const dir = fileURLToPath(new URL('../config/', import.meta.url));
const { yaml, secrets } = generateDemoRegion();
writeFileSync(`${dir}demo-region.yaml`, yaml);
writeFileSync(`${dir}demo-region.secrets.json`, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
console.log(`wrote ${dir}demo-region.yaml and demo-region.secrets.json (demo keys)`);
