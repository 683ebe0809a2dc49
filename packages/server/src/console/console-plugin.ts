import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

/**
 * The console's served files, found relative to this file (`dist/console/console-plugin.js` once
 * compiled): `npm run build` bundles the TypeScript of `web/` into `static/app.js` there and copies the
 * page and style sheet beside it (scripts/bundle-console.mjs).
 */
export const STATIC_DIR = new URL('static/', import.meta.url);

const TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

// The page shows task output; it must never run anything but its own script or leak the token.
const CSP = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self' ws: wss:",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** One file of a console: the route it is served at, and where it is. */
export interface ConsoleFile {
  route: string;
  file: URL;
}

function load(file: URL): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(
      `The web console file ${fileURLToPath(file)} is missing (${(err as Error).message}): run \`npm run build\`, which builds the console.`,
      { cause: err },
    );
  }
}

/**
 * Serves a console's static files, read once at start. The pages hold no data, so their files need
 * no token; the API calls they make do.
 */
export function createConsolePlugin(files: readonly ConsoleFile[]): FastifyPluginAsync {
  return async (app) => {
    for (const { route, file } of files) {
      const body = load(file);
      const type = TYPES[file.pathname.slice(file.pathname.lastIndexOf('.') + 1) as keyof typeof TYPES];
      app.get(route, { config: { public: true } }, async (_request, reply) =>
        reply
          .type(type)
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', CSP)
          .header('referrer-policy', 'no-referrer')
          .send(body),
      );
    }
  };
}

/** The files every console shares (their scripts bundle the code they share). */
export const SHARED_CONSOLE_FILES: readonly ConsoleFile[] = [
  { route: '/console/style.css', file: new URL('style.css', STATIC_DIR) },
];

/**
 * The web console at `/`: EngineConn status, tasks, a code box, live logs and progress, result
 * pages and a kill button, on the same public API and WebSocket as every other client.
 */
export const consolePlugin: FastifyPluginAsync = createConsolePlugin([
  { route: '/', file: new URL('index.html', STATIC_DIR) },
  { route: '/console/app.js', file: new URL('app.js', STATIC_DIR) },
  ...SHARED_CONSOLE_FILES,
]);
