import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/**
 * Serves a fresh portal build for /portal/* in a browser context, on whichever node's origin the
 * page is at (passkeys need the node's own origin), so tests never depend on a stale apps/portal/dist.
 * /portal/api/* still goes to the node.
 */
export async function serveBuild(context: BrowserContext, root: string): Promise<void> {
  await context.route(
    // The node's own answers (its API and its mode script) come from the node itself.
    (url) =>
      url.pathname.startsWith('/portal/') &&
      !url.pathname.startsWith('/portal/api/') &&
      url.pathname !== '/portal/mode.js',
    async (route) => {
      const path = normalize(new URL(route.request().url()).pathname.slice('/portal/'.length));
      const file = join(root, path);
      const found = !path.startsWith('..') && existsSync(file) && statSync(file).isFile();
      await route.fulfill({ path: found ? file : join(root, 'index.html') });
    },
  );
}
