import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManagerClient } from '@engineconn/client';
import { waitFor } from '@engineconn/testkit';
import { runEngineConn } from './spawn-engineconn.js';
import {
  ALICE,
  AS_ROOT,
  BOB,
  isAlive,
  type ManagerHarness,
  managerHarness,
  processesUnder,
  processUser,
  type SpawnedManager,
  TOKENS,
} from './spawn-manager.js';

interface EngineView {
  id: string;
  url: string;
  user: string;
  pid: number;
  status: string;
  token: string;
}
interface AskAnswer {
  engine: EngineView;
  reused: boolean;
}
interface ErrorAnswer {
  error: { code: string; message: string; logTail?: string[] };
}

describe('engineconn manager: ask (end to end)', () => {
  let harness: ManagerHarness;
  let manager: SpawnedManager;
  before(async () => {
    harness = await managerHarness();
    manager = await harness.start(['--heartbeat-interval', '300ms', '--max-engines-per-user', '2']);
  });
  after(async () => harness.close());

  test('two asks at once launch one engine: the second is reused, both get a working token', async () => {
    const [a, b] = await Promise.all([
      manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' }),
      manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' }),
    ]);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(a.body.engine.id, b.body.engine.id);
    assert.deepEqual([a.body.reused, b.body.reused].sort(), [false, true]);
    const again = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(again.body.engine.id, a.body.engine.id);
    assert.equal(again.body.reused, true);
    // The token in the answer works on the engine directly.
    const info = await fetch(`${a.body.engine.url}/api/v1/engineconn`, {
      headers: { authorization: `Bearer ${a.body.engine.token}` },
    });
    assert.equal(info.status, 200);
    assert.equal(((await info.json()) as { owner: string }).owner, ALICE);
    const listed = await manager.api<{ engines: EngineView[] }>('GET', '/api/v1/engines');
    assert.deepEqual(
      listed.body.engines.map((e) => e.id),
      [a.body.engine.id],
    );
    assert.equal('token' in (listed.body.engines[0] as object), false, 'a listing never shows tokens');
  });

  test('alice and bob get an engine each, each running as its own OS user; users see only their own', async () => {
    const alice = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    const bob = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' }, TOKENS.bob);
    assert.equal(bob.status, 200, JSON.stringify(bob.body));
    assert.notEqual(alice.body.engine.id, bob.body.engine.id);
    assert.equal(bob.body.engine.user, BOB);
    if (AS_ROOT) {
      assert.equal(await processUser(alice.body.engine.pid), ALICE);
      assert.equal(await processUser(bob.body.engine.pid), BOB);
    }
    const bobSees = await manager.api<{ engines: EngineView[] }>('GET', '/api/v1/engines', undefined, TOKENS.bob);
    assert.deepEqual(
      bobSees.body.engines.map((e) => e.user),
      [BOB],
    );
    const hidden = await manager.api<ErrorAnswer>(
      'GET',
      `/api/v1/engines/${alice.body.engine.id}`,
      undefined,
      TOKENS.bob,
    );
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.error.code, 'EC_ENGINE_NOT_FOUND');
    const adminSees = await manager.api<{ engines: EngineView[] }>('GET', '/api/v1/engines', undefined, TOKENS.admin);
    assert.deepEqual(new Set(adminSees.body.engines.map((e) => e.user)), new Set([ALICE, BOB]));
  });

  test('an unknown engineType is 400 EC_UNKNOWN_ENGINE and a bad body 400 EC_BAD_REQUEST', async () => {
    const unknown = await manager.api<ErrorAnswer>('POST', '/api/v1/engines/ask', { engineType: 'oracle' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'EC_UNKNOWN_ENGINE');
    const bad = await manager.api<ErrorAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb', labels: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'EC_BAD_REQUEST');
    const anonymous = await fetch(`${manager.url}/api/v1/engines`);
    assert.equal(anonymous.status, 401);
  });

  test("a bad conf answers 502 with the engine's EC_CONFIG_INVALID and log tail, and leaves nothing behind", async () => {
    // What the failed launch leaves is told against what was there before it, so the other tests'
    // engines (which may be leaving on their own meanwhile) do not count.
    const engines = join(harness.dataDir, 'engines');
    const dirsBefore = new Set(await readdir(engines));
    const pidsBefore = new Set(await processesUnder(engines));
    const answer = await manager.api<ErrorAnswer>('POST', '/api/v1/engines/ask', {
      engineType: 'duckdb',
      conf: { 'ec.killGrace': 'soon' },
    });
    assert.equal(answer.status, 502, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'EC_ENGINE_START_FAILED');
    assert.match(answer.body.error.message, /EC_CONFIG_INVALID/);
    assert.match(answer.body.error.message, /ec\.killGrace/);
    assert.ok((answer.body.error.logTail ?? []).some((line) => line.includes('failed to start')));
    const newDirs = (await readdir(engines)).filter((d) => !dirsBefore.has(d));
    assert.deepEqual(newDirs, [], 'the failed engine left no directory');
    const newPids = (await processesUnder(engines)).filter((p) => !pidsBefore.has(p));
    assert.deepEqual(newPids, [], 'the failed engine left no process');
  });

  test('a user over --max-engines-per-user gets 429 EC_LIMIT_REACHED', async () => {
    const second = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'shell' });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const third = await manager.api<ErrorAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb', reuse: false });
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'EC_LIMIT_REACHED');
    // Reuse still works at the limit.
    const reused = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'shell' });
    assert.equal(reused.body.reused, true);
  });

  test('--max-engines caps all users together: 429 for the next user once it is reached', async () => {
    const capped = await harness.start(['--max-engines', '1', '--data-dir', join(harness.dir, 'data-capped')]);
    const alice = await capped.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'shell' });
    assert.equal(alice.status, 200, JSON.stringify(alice.body));
    const bob = await capped.api<ErrorAnswer>('POST', '/api/v1/engines/ask', { engineType: 'shell' }, TOKENS.bob);
    assert.equal(bob.status, 429);
    assert.equal(bob.body.error.code, 'EC_LIMIT_REACHED');
    assert.match(bob.body.error.message, /--max-engines 1/);
    capped.child.kill('SIGTERM');
    await capped.exited;
  });

  test('a report with a wrong secret is 401, and one for an engine it never launched 404', async () => {
    const { body } = await manager.api<{ engines: EngineView[] }>('GET', '/api/v1/engines');
    const id = (body.engines[0] as EngineView).id;
    const post = (path: string, secret: string) =>
      fetch(`${manager.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ id, status: 'Busy', previous: 'Unlock', at: new Date().toISOString() }),
      });
    const wrong = await post(`/api/v1/engineconns/${id}/status`, 'not-the-secret');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as ErrorAnswer).error.code, 'EC_UNAUTHORIZED');
    // A user's token is not an engine's secret either.
    assert.equal((await post(`/api/v1/engineconns/${id}/status`, TOKENS.admin)).status, 401);
    assert.equal((await post('/api/v1/engineconns/ec-stranger/status', 'whatever')).status, 404);
    const after = await manager.api<EngineView>('GET', `/api/v1/engines/${id}`);
    assert.notEqual(after.body.status, 'Busy');
  });

  test('a start past --engine-start-timeout is killed and answers 504 EC_ENGINE_START_TIMEOUT', async () => {
    const impatient = await harness.start([
      '--engine-start-timeout',
      '1ms',
      '--data-dir',
      join(harness.dir, 'data-timeout'),
    ]);
    const answer = await impatient.api<ErrorAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(answer.status, 504, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'EC_ENGINE_START_TIMEOUT');
    const engines = join(harness.dir, 'data-timeout', 'engines');
    await waitFor(async () => (await processesUnder(engines)).length === 0, {
      what: 'the timed-out engine to be gone',
    });
    assert.deepEqual(await readdir(engines), []);
    impatient.child.kill('SIGTERM');
    await impatient.exited;
  });

  test('engineconn submit --manager streams and prints like a direct submit; engineconn engines lists', async () => {
    const ok = await runEngineConn([
      'submit',
      ...['--manager', manager.url, '--engine', 'duckdb', '--token', TOKENS.alice],
      'select 42 as answer',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /answer/);
    assert.match(ok.stdout, /42/);
    assert.match(ok.stderr, /Succeed/);
    const failed = await runEngineConn([
      'submit',
      ...['--manager', manager.url, '--engine', 'duckdb', '--token', TOKENS.alice],
      'select * from no_such_table',
    ]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Failed in .*\[EC_ENGINE_ERROR\]/s);
    const noEngine = await runEngineConn(['submit', '--manager', manager.url, '--token', TOKENS.alice, 'select 1']);
    assert.equal(noEngine.code, 1);
    assert.match(noEngine.stderr, /--engine/);
    const listed = await runEngineConn(['engines', '--manager', manager.url, '--token', TOKENS.admin, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const engines = JSON.parse(listed.stdout) as EngineView[];
    assert.ok(engines.some((e) => e.user === ALICE) && engines.some((e) => e.user === BOB));
    const table = await runEngineConn(['engines', '--manager', manager.url, '--token', TOKENS.bob]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(BOB));
    assert.doesNotMatch(table.stdout, new RegExp(ALICE));
  });

  test('the SDK: ManagerClient asks, and runs a job with the handle tasks have', async () => {
    const client = new ManagerClient({ url: manager.url, token: TOKENS.alice });
    const answer = await client.ask({ engineType: 'duckdb' });
    assert.equal(answer.reused, true);
    const handle = await client.submit({ engineType: 'duckdb', code: 'select 1 as a; select 2 as b' });
    assert.match(handle.id, /^job-/);
    assert.equal(handle.job.engineId, answer.engine.id);
    const logs: string[] = [];
    for await (const line of handle.logs()) logs.push(line);
    assert.ok(logs.some((line) => line.includes('statement 2/2')));
    const info = await handle.done;
    assert.equal(info.status, 'Succeed');
    assert.equal(info.id, handle.id);
    const rows: unknown[][] = [];
    for await (const chunk of handle.results()) if (chunk.kind === 'table') rows.push(...chunk.rows);
    assert.deepEqual(rows, [[1], [2]]);
    const direct = client.engineClient(answer.engine);
    assert.equal((await direct.info()).id, answer.engine.id);
  });

  test('job events resume after Last-Event-ID through the manager, and a kill through it stops the job', async () => {
    const client = new ManagerClient({ url: manager.url, token: TOKENS.alice });
    const quick = await client.submit({ engineType: 'duckdb', code: 'select 1 as a' });
    await quick.done;
    const all = await fetch(`${manager.url}/api/v1/jobs/${quick.id}/events`, {
      headers: { authorization: `Bearer ${TOKENS.alice}` },
    });
    const ids = [...(await all.text()).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.ok(ids.length > 3);
    const resumed = await fetch(`${manager.url}/api/v1/jobs/${quick.id}/events`, {
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'last-event-id': String(ids[2]) },
    });
    const text = await resumed.text();
    const after = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(after, ids.slice(3));
    assert.match(text, /event: done/);

    const slow = await client.submit({ engineType: 'duckdb', code: 'select count(*) from range(100000000000)' });
    await waitFor(async () => (await slow.info()).status === 'Running', { what: 'the slow job to run' });
    const killed = await manager.api<{ id: string }>('POST', `/api/v1/jobs/${slow.id}/kill`);
    assert.equal(killed.status, 202);
    assert.equal(killed.body.id, slow.id);
    assert.equal((await slow.done).status, 'Cancelled');
  });

  test('DELETE stops an engine: it drains, leaves the registry and its process is gone; others may not', async () => {
    const { body } = await manager.api<{ engines: EngineView[] }>('GET', '/api/v1/engines', undefined, TOKENS.bob);
    const bobs = body.engines[0] as EngineView;
    const notYours = await manager.api<ErrorAnswer>('DELETE', `/api/v1/engines/${bobs.id}`);
    assert.equal(notYours.status, 404);
    const stopped = await manager.api('DELETE', `/api/v1/engines/${bobs.id}`, undefined, TOKENS.bob);
    assert.equal(stopped.status, 202);
    await waitFor(
      async () => (await manager.api('GET', `/api/v1/engines/${bobs.id}`, undefined, TOKENS.bob)).status === 404,
      { what: 'the stopped engine to leave the registry' },
    );
    await waitFor(() => !isAlive(bobs.pid), { what: "the stopped engine's process to exit" });
  });

  test('a manager whose port is taken fails to start, saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(
        harness.start(['--data-dir', join(harness.dir, 'data-port')], port),
        /already in use.*EC_CONFIG_INVALID/s,
      );
    } finally {
      blocker.close();
    }
  });
});
