import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Builds the portal once into a fresh temporary directory (so tests never depend on a stale dist). */
export async function buildPortal(): Promise<string> {
  const outDir = join(mkdtempSync(join(tmpdir(), 'portal-')), 'dist');
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
