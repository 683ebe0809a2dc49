import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const APP = new URL('./app.js', import.meta.url).href;
const TEST_SERVER = new URL('../test-support/test-server.js', import.meta.url).href;

/** Runs `code` (ESM) in a fresh Node process and returns its stdout. */
function runFresh(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

describe('fastify schema compilers', () => {
  test('building and serving the API loads neither ajv nor fast-json-stringify', async () => {
    const out = await runFresh(`
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(APP)});
      const { startTestServer } = await import(${JSON.stringify(TEST_SERVER)});
      const server = await startTestServer();
      const res = await server.request({ method: 'GET', url: '/api/v1/engineconn' });
      await server.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        status: res.statusCode,
        ajv: loaded.some((f) => f.includes('/node_modules/ajv/')),
        // Its small serializer runtime backs fastify's error serializer; the compiler is index.js.
        fjs: loaded.some((f) => f.endsWith('/node_modules/fast-json-stringify/index.js')),
      }));
    `);
    assert.deepEqual(JSON.parse(out), { status: 200, ajv: false, fjs: false });
  });

  describe('a plugin route that declares a schema', () => {
    let server: TestServer;
    const withSchema: FastifyPluginAsync = async (app) => {
      app.post(
        '/schema-probe',
        {
          schema: {
            body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
            response: { 200: { type: 'object', properties: { doubled: { type: 'integer' } } } },
          },
        },
        async (request) => ({ doubled: (request.body as { n: number }).n * 2, dropped: 'by the serializer' }),
      );
    };
    before(async () => {
      server = await startTestServer({ plugins: [withSchema] });
    });
    after(() => server.close());

    test('is still validated and serialised by fastify', async () => {
      const ok = await server.request({ method: 'POST', url: '/schema-probe', payload: { n: 21 } });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json(), { doubled: 42 });
      const bad = await server.request({ method: 'POST', url: '/schema-probe', payload: { n: 'x' } });
      assert.equal(bad.statusCode, 400);
    });
  });
});
