import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createFileGate } from '@engineconn/testkit';
import { type ParsedSseEvent, parseSse } from '../test-support/sse-parse.js';
import { spawnerForSuite, TEST_ENGINE, taskFinished } from './spawn-engineconn.js';

/** The task's own log lines (`line N`) in `events`. */
function logLines(events: ParsedSseEvent[]): string[] {
  return events
    .filter((e) => e.event === 'log')
    .flatMap((e) => (e.data as { lines: string[] }).lines)
    .filter((l) => /^line \d$/.test(l));
}

/** Reads SSE events from `url` until `enough(events)` or the stream ends; aborts the connection after. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  enough: (events: ParsedSseEvent[]) => boolean,
): Promise<ParsedSseEvent[]> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (enough(parseSse(text).events)) break;
    }
  } finally {
    abort.abort();
    await reader.cancel().catch(() => {});
  }
  return parseSse(text).events;
}

describe('events and auth over HTTP (end to end)', () => {
  const spawn = spawnerForSuite();

  test('SSE resumes after a dropped connection with Last-Event-ID: no gap, no duplicate, ends with done', async () => {
    const ec = await spawn(['--engine', TEST_ENGINE]);
    const gate = await createFileGate();
    after(() => gate.remove());
    // Held at the gate after its first lines: the first connection drops mid-task, and the rest
    // of the task runs while no client is connected.
    const { body } = await ec.api<{ id: string }>('POST', '/api/v1/tasks', {
      code: `log 3; file-gate ${gate.path}; log 3; log 3; rows 2`,
    });
    const url = `${ec.url}/api/v1/tasks/${body.id}/events`;
    const auth = { authorization: `Bearer ${ec.token}` };
    const first = await readEvents(url, auth, (events) => logLines(events).length >= 3);
    assert.equal(logLines(first).length, 3, 'the lines before the gate came on the first connection');
    assert.notEqual(first.at(-1)!.event, 'done', 'the first connection dropped before the end');
    await gate.open();
    const rest = await readEvents(url, { ...auth, 'last-event-id': String(first.at(-1)!.id) }, () => false);
    const all = [...first, ...rest];
    const ids = all.map((e) => e.id);
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      `contiguous ids: ${ids.join(',')}`,
    );
    assert.equal(all.at(-1)!.event, 'done');
    assert.equal(logLines(all).length, 9);
  });

  test('two users with separate tokens cannot see each other’s tasks', async () => {
    const ec0 = await spawn(['--engine', TEST_ENGINE]);
    const authFile = join(ec0.dir, 'auth.json');
    await writeFile(
      authFile,
      JSON.stringify({
        tokens: [
          { token: 'alice-secret', user: 'alice', admin: false },
          { token: 'bob-secret', user: 'bob', admin: false },
        ],
      }),
    );
    const ec = await spawn(['--engine', TEST_ENGINE, '--auth-file', authFile, '--share-level', 'server']);

    const anonymous = await ec.api<{ error: { code: string } }>('GET', '/api/v1/tasks');
    assert.deepEqual([anonymous.status, anonymous.body.error.code], [401, 'EC_UNAUTHORIZED']);

    const alice = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'select 1' }, 'alice-secret');
    const bob = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'select 2' }, 'bob-secret');
    assert.equal((await taskFinished(ec, alice.body.id, 'alice-secret')).status, 'Succeed');

    const peek = await ec.api<{ error: { code: string } }>(
      'GET',
      `/api/v1/tasks/${alice.body.id}`,
      undefined,
      'bob-secret',
    );
    assert.deepEqual([peek.status, peek.body.error.code], [404, 'EC_TASK_NOT_FOUND']);
    const events = await fetch(`${ec.url}/api/v1/tasks/${alice.body.id}/events`, {
      headers: { authorization: 'Bearer bob-secret' },
    });
    assert.equal(events.status, 404);
    const bobs = await ec.api<{ tasks: { id: string }[] }>('GET', '/api/v1/tasks', undefined, 'bob-secret');
    assert.deepEqual(
      bobs.body.tasks.map((t) => t.id),
      [bob.body.id],
    );
    const alices = await ec.api<{ tasks: { id: string }[] }>('GET', '/api/v1/tasks', undefined, 'alice-secret');
    assert.deepEqual(
      alices.body.tasks.map((t) => t.id),
      [alice.body.id],
    );
    const shutdown = await ec.api<{ error: { code: string } }>(
      'POST',
      '/api/v1/engineconn/shutdown',
      undefined,
      'bob-secret',
    );
    assert.deepEqual([shutdown.status, shutdown.body.error.code], [403, 'EC_FORBIDDEN']);
  });
});
