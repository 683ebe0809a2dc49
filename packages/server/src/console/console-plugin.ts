import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * The static files are plain JavaScript, HTML and CSS that need no build: they ship in `src/` and are
 * found relative to this file, which is `dist/console/console-plugin.js` once compiled.
 */
const STATIC_DIR = new URL('../../src/console/static/', import.meta.url);

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

type FileName = keyof typeof FILES;

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

function loadFiles(): Map<FileName, Buffer> {
  const files = new Map<FileName, Buffer>();
  for (const name of Object.keys(FILES) as FileName[]) {
    const url = new URL(name, STATIC_DIR);
    try {
      files.set(name, readFileSync(url));
    } catch (err) {
      throw new Error(`The web console file ${fileURLToPath(url)} is missing: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return files;
}

/**
 * The web console at `/`: EngineConn status, tasks, a code box, live logs and progress, result
 * pages and a kill button, on the same public API and WebSocket as every other client. The page
 * itself holds no data, so its files need no token; the API calls it makes do.
 */
export const consolePlugin: FastifyPluginAsync = async (app) => {
  const files = loadFiles();
  const send = (reply: FastifyReply, name: FileName) =>
    reply
      .type(FILES[name])
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CSP)
      .header('referrer-policy', 'no-referrer')
      .send(files.get(name));
  const config = { public: true };
  app.get('/', { config }, async (_request, reply) => send(reply, 'index.html'));
  app.get('/console/app.js', { config }, async (_request, reply) => send(reply, 'app.js'));
  app.get('/console/style.css', { config }, async (_request, reply) => send(reply, 'style.css'));
};
