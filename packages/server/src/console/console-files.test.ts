import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import { managerConsolePlugin } from '../manager/console/manager-console.js';
import { consolePlugin } from './console-plugin.js';

/**
 * What the consoles' Content-Security-Policy lets a page run: only its own scripts, loaded from its
 * own origin. So a page may hold no inline script, handler or style, and each script must be the
 * whole bundle: a module that imports nothing the server does not serve.
 */
const CONSOLES: [string, FastifyPluginAsync, string][] = [
  ['the EngineConn console', consolePlugin, '/console/app.js'],
  ["the manager's console", managerConsolePlugin, '/console/manager.js'],
];

for (const [name, plugin, script] of CONSOLES) {
  describe(`${name}'s files`, () => {
    test('are served with the console CSP and without inline code, the script as one bundle', async () => {
      const app = Fastify();
      await app.register(plugin);
      try {
        const page = await app.inject({ method: 'GET', url: '/' });
        assert.equal(page.statusCode, 200);
        assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
        assert.match(String(page.headers['content-security-policy']), /^default-src 'self'; .*base-uri 'none'/);
        const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
        assert.deepEqual(
          scripts.map(([, attributes, body]) => [attributes?.trim(), body]),
          [[`type="module" src="${script}"`, '']],
        );
        assert.doesNotMatch(page.body, /\son[a-z]+\s*=|\sstyle\s*=/i, 'no inline handler or style');

        const linked = [...page.body.matchAll(/\s(?:src|href)="(\/[^"]*)"/g)].map((match) => match[1] as string);
        assert.deepEqual(linked.sort(), ['/console/style.css', script].sort());
        for (const url of linked) {
          const file = await app.inject({ method: 'GET', url });
          assert.equal(file.statusCode, 200, url);
          assert.equal(file.headers['x-content-type-options'], 'nosniff');
          assert.equal(file.headers['content-security-policy'], page.headers['content-security-policy']);
        }
        const bundle = await app.inject({ method: 'GET', url: script });
        assert.equal(bundle.headers['content-type'], 'text/javascript; charset=utf-8');
        assert.doesNotMatch(bundle.body, /^\s*(?:import|export)\b/m, 'a self-contained bundle');
        assert.doesNotMatch(bundle.body, /\bnode:|\brequire\(/, 'nothing of Node');
        // The wire types come from the protocol package as types: its zod schemas stay on the server.
        assert.doesNotMatch(bundle.body, /node_modules\/zod\//, 'no zod');
      } finally {
        await app.close();
      }
    });
  });
}
