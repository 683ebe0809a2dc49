import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as R from '@engineconn/protocol';
import * as M from '@engineconn/protocol/manager';
import type { z } from 'zod';
import { assertOperationsDocumented, documentedRoutes, servedRoutes } from '../../test-support/route-probes.js';
import { startTestManager, type TestManager } from '../../test-support/test-manager.js';

type Json = Record<string, unknown>;

/** The console's page and its static files: what a browser loads, not the API. */
const CONSOLE_PAGES = /^GET \/(console\/.*)?$/;

describe("the manager's GET /api/v1/openapi.json", () => {
  let manager: TestManager;
  let doc: Json;
  before(async () => {
    manager = await startTestManager();
    const response = await manager.request({ method: 'GET', url: '/api/v1/openapi.json', token: null });
    assert.equal(response.statusCode, 200);
    doc = response.json() as Json;
  });
  after(() => manager.close());

  test('documents every route the manager serves, from the routes themselves', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal((doc.info as Json).title, 'EngineConnManager API');
    const served = servedRoutes(manager.app).filter((route) => !CONSOLE_PAGES.test(route));
    assert.ok(served.length >= 20, `fastify lists ${served.length} routes`);
    assert.deepEqual(documentedRoutes(doc).sort(), served.sort());
  });

  test('every operation lists its path parameters, body and error codes', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    assertOperationsDocumented(doc);
    const ask = paths['/api/v1/engines/ask']?.post as Json;
    assert.deepEqual(ask.requestBody, {
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/AskRequest' } } },
    });
    assert.deepEqual([...(ask['x-error-codes'] as string[])].sort(), [
      'EC_BAD_REQUEST',
      'EC_ENGINE_START_FAILED',
      'EC_ENGINE_START_TIMEOUT',
      'EC_FORBIDDEN',
      'EC_FORBIDDEN_ORIGIN',
      'EC_LIMIT_REACHED',
      'EC_PAYLOAD_TOO_LARGE',
      'EC_SHUTTING_DOWN',
      'EC_UNAUTHORIZED',
      'EC_UNKNOWN_ENGINE',
      'EC_UNSUPPORTED_MEDIA_TYPE',
    ]);
    const logs = paths['/api/v1/jobs/{id}/logs']?.get as { parameters: Json[] };
    assert.deepEqual(
      logs.parameters.map((p) => `${p.in} ${p.name}`),
      ['path id', 'query from', 'query limit'],
    );
    // The engines' reports carry the engine's launch secret, not a user's token.
    const heartbeat = paths['/api/v1/engineconns/{id}/heartbeat']?.post as Json;
    assert.deepEqual(heartbeat.security, [{ bearer: [] }]);
    assert.ok(JSON.stringify(heartbeat.requestBody).includes('"busyMs"'));
  });

  test('every $ref points at a component', () => {
    const schemas = (doc.components as { schemas: Json }).schemas;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    assert.ok(refs.length > 10);
    for (const name of refs) assert.ok(name in schemas, `component ${name} exists`);
  });

  test("the manager's answers match the documented response schemas", async () => {
    const get = async (url: string) => (await manager.request({ method: 'GET', url })).json() as unknown;
    const conforms = (schema: z.ZodType, value: unknown, what: string) => {
      const parsed = schema.safeParse(value);
      assert.ok(parsed.success, what);
      assert.deepEqual(parsed.data, value, `${what} has fields its schema does not describe`);
    };
    conforms(M.EngineListSchema, await get('/api/v1/engines'), 'GET /engines');
    conforms(M.JobListSchema, await get('/api/v1/jobs'), 'GET /jobs');
    conforms(R.LivenessSchema, await get('/healthz'), 'GET /healthz');
    conforms(M.ManagerReadinessSchema, await get('/readyz'), 'GET /readyz');
  });
});
