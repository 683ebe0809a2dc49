import type { FastifyPluginAsync } from 'fastify';
import { createConsolePlugin, SHARED_CONSOLE_FILES } from '../../console/console-plugin.js';

/**
 * Found relative to this file, `dist/manager/console/manager-console.js` once compiled: the page, and
 * the script `npm run build` bundles from `web/` (scripts/bundle-console.mjs).
 */
const STATIC_DIR = new URL('static/', import.meta.url);

/**
 * The manager's web console at `/`: the caller's engines (an admin's: everyone's) and jobs, and a
 * box to run a job, on the manager's public API, with the EngineConn console's token handling and
 * style.
 */
export const managerConsolePlugin: FastifyPluginAsync = createConsolePlugin([
  { route: '/', file: new URL('index.html', STATIC_DIR) },
  { route: '/console/manager.js', file: new URL('manager.js', STATIC_DIR) },
  ...SHARED_CONSOLE_FILES,
]);
