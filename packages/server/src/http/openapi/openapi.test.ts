import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo } from '@engineconn/protocol';
import * as R from '@engineconn/protocol';
import { waitFor } from '@engineconn/testkit';
import type { z } from 'zod';
import { createMetricsPlugin } from '../../metrics/metrics-plugin.js';
import { assertOperationsDocumented, documentedRoutes, servedRoutes } from '../../test-support/route-probes.js';
import { type LiveTestServer, startLiveServer } from '../../test-support/test-server.js';
import { eventsWsPlugin } from '../ws/events-ws.js';
import { openApiPlugin } from './openapi-plugin.js';

type Json = Record<string, unknown>;

/** Parses with the schema and checks nothing was dropped: an answer field the schema lacks fails. */
function conforms(schema: z.ZodType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  assert.ok(parsed.success, `${what}: ${parsed.success ? '' : parsed.error.message}`);
  assert.deepEqual(parsed.data, value, `${what} has fields its schema does not describe`);
}

describe('GET /api/v1/openapi.json', () => {
  let server: LiveTestServer;
  let doc: Json;
  before(async () => {
    server = await startLiveServer({ plugins: [eventsWsPlugin, openApiPlugin, createMetricsPlugin()] });
    const response = await server.fetch('/api/v1/openapi.json');
    assert.equal(response.status, 200);
    doc = (await response.json()) as Json;
  });
  after(() => server.close());

  test('documents every route the server serves, from the routes themselves', () => {
    assert.equal(doc.openapi, '3.1.0');
    const documented = documentedRoutes(doc);
    // fastify's own listing of what it routes.
    const served = servedRoutes(server.app);
    assert.ok(served.length >= 18, `fastify lists ${served.length} routes`);
    assert.deepEqual(documented.sort(), served.sort());
  });

  test('every operation lists its path and query parameters and its error codes', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    assertOperationsDocumented(doc, { unauthorized: true });
    const logs = paths['/api/v1/tasks/{id}/logs']?.get as { parameters: Json[]; 'x-error-codes': string[] };
    assert.deepEqual(
      logs.parameters.map((p) => `${p.in} ${p.name}`),
      ['path id', 'query from', 'query limit'],
    );
    assert.deepEqual([...logs['x-error-codes']].sort(), [
      'EC_BAD_REQUEST',
      'EC_FORBIDDEN',
      'EC_FORBIDDEN_ORIGIN',
      'EC_TASK_NOT_FOUND',
      'EC_UNAUTHORIZED',
      'EC_UNSUPPORTED_MEDIA_TYPE',
    ]);
  });

  test('request schemas come from the zod schemas that validate the requests', () => {
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    const submit = schemas.SubmitRequest as { required: string[]; additionalProperties: unknown; properties: Json };
    assert.deepEqual(submit.required, ['code']);
    assert.equal(submit.additionalProperties, false);
    assert.deepEqual(Object.keys(submit.properties).sort(), ['code', 'labels', 'lock', 'properties', 'runType']);
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const post = paths['/api/v1/tasks']?.post as Json;
    assert.deepEqual(post.requestBody, {
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitRequest' } } },
    });
    const responses = post.responses as Record<string, Json>;
    assert.deepEqual(Object.keys(responses).sort(), [
      '200',
      '202',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '423',
      '503',
    ]);
    assert.deepEqual((doc.components as { schemas: Record<string, Json> }).schemas.SubmitRequest?.examples, [
      { code: 'select 42 as answer', labels: { job: 'daily' } },
    ]);
    const wait = (post.parameters as Json[]).find((p) => p.name === 'wait') as Json;
    assert.equal(wait.in, 'query');
    const logs = paths['/api/v1/tasks/{id}/logs']?.get as { parameters: Json[] };
    const limit = logs.parameters.find((p) => p.name === 'limit') as Json;
    assert.equal(limit.in, 'query');
    assert.equal(limit.required, false);
    assert.equal((limit.schema as Json).maximum, 10_000);
  });

  test('every operation documents the errors the guard and auth hooks really answer it with', async () => {
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    let probed = 0;
    for (const [path, ops] of Object.entries(paths)) {
      if (path === '/metrics') continue;
      const url = path.replace(/\{(\w+)\}/g, 'x');
      for (const [method, op] of Object.entries(ops)) {
        const documents = (status: number, code: string): boolean =>
          op.responses[String(status)]?.description.split(', ').includes(code) === true;
        const probes: { what: string; init: RequestInit }[] = [
          { what: 'no token', init: { headers: { authorization: '' } } },
          { what: 'a foreign Origin', init: { headers: { origin: 'https://evil.example' } } },
          // fetch sends no body with a GET.
          ...(method === 'get'
            ? []
            : [{ what: 'a text/plain body', init: { headers: { 'content-type': 'text/plain' }, body: 'x' } }]),
        ];
        for (const probe of probes) {
          const response = await server.fetch(url, { method: method.toUpperCase(), ...probe.init });
          const text = await response.text();
          if (response.status < 400 || response.status === 404) continue;
          const { code } = (JSON.parse(text) as { error: { code: string } }).error;
          assert.ok(
            documents(response.status, code),
            `${method.toUpperCase()} ${path} with ${probe.what} answers ${response.status} ${code}, which it does not document`,
          );
          probed++;
        }
      }
    }
    // The document lists them for every guarded route; the probes above hit most of them for real.
    assert.ok(probed >= 30, `only ${probed} refusals were probed`);
  });

  test('every $ref points at a component', () => {
    const schemas = (doc.components as { schemas: Json }).schemas;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    assert.ok(refs.length > 20);
    for (const name of refs) assert.ok(name in schemas, `component ${name} exists`);
    assert.ok(!JSON.stringify(doc).includes('"$id"'), 'no bare-fragment $id');
  });

  test("the server's real answers match the documented response schemas", async () => {
    const get = async (path: string, init?: RequestInit) => {
      const response = await server.fetch(path, init);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const post = (path: string, body?: unknown) =>
      get(path, {
        method: 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });

    conforms(R.EngineConnInfoSchema, (await get('/api/v1/engineconn')).body, 'GET /engineconn');
    const submitted = await post('/api/v1/tasks', { code: 'log 3; rows 4; text hello', labels: { a: 'b' } });
    assert.equal(submitted.status, 202);
    conforms(R.TaskRefSchema, submitted.body, 'POST /tasks');
    const id = (submitted.body as { id: string }).id;
    await waitFor(async () => ((await get(`/api/v1/tasks/${id}`)).body as TaskInfo).status === 'Succeed', {
      what: 'the task to succeed',
    });
    conforms(R.TaskInfoSchema, (await get(`/api/v1/tasks/${id}`)).body, 'GET /tasks/:id');
    conforms(R.TaskListSchema, (await get('/api/v1/tasks')).body, 'GET /tasks');
    conforms(R.LogPageSchema, (await get(`/api/v1/tasks/${id}/logs`)).body, 'GET /logs');
    conforms(R.ResultSetListSchema, (await get(`/api/v1/tasks/${id}/results`)).body, 'GET /results');
    conforms(R.RowsPageSchema, (await get(`/api/v1/tasks/${id}/results/0?limit=2`)).body, 'GET /results/0');
    conforms(R.TextResultSchema, (await get(`/api/v1/tasks/${id}/results/1`)).body, 'GET /results/1');
    conforms(R.TaskRefSchema, (await post(`/api/v1/tasks/${id}/kill`)).body, 'POST /kill');
    const oneRequest = await post('/api/v1/tasks?wait=10s', { code: 'rows 2; text hi; picture' });
    assert.equal(oneRequest.status, 200);
    conforms(R.OneRequestTaskSchema, oneRequest.body, 'POST /tasks?wait=');
    const lock = await post('/api/v1/locks', {});
    conforms(R.LockGrantSchema, lock.body, 'POST /locks');
    const unlocked = await get(`/api/v1/locks/${(lock.body as { lock: string }).lock}`, { method: 'DELETE' });
    conforms(R.UnlockedSchema, unlocked.body, 'DELETE /locks/:lock');
    conforms(
      R.HealthAnswerSchema,
      (await post('/api/v1/engineconn/health', { health: 'Healthy' })).body,
      'POST /health',
    );
    conforms(R.LivenessSchema, (await get('/healthz')).body, 'GET /healthz');
    conforms(R.ReadinessSchema, (await get('/readyz')).body, 'GET /readyz');
    const missing = await get('/api/v1/tasks/nope');
    assert.equal(missing.status, 404);
    conforms(R.ErrorResponseSchema, missing.body, 'a 404');
    const journal = await server.runtime.getTask(id, { user: 'owner', admin: false }).journal.read(0, 1000);
    for (const event of journal) conforms(R.TaskEventDataSchemas[event.event], event.data, `${event.event} event data`);
  });
});
