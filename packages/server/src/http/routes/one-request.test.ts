import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CallerWatchdog, type TaskInfo, type TaskView } from '@engineconn/core';
import { OneRequestTaskSchema } from '@engineconn/protocol';
import { waitFor } from '@engineconn/testkit';
import type { FastifyReply } from 'fastify';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { awaitEnd, BUFFER_ROWS_BYTES, INLINE_BYTES, INLINE_ROWS } from './one-request.js';

type InlineResult = {
  index: number;
  type: string;
  columns?: { name: string; type: string }[];
  rows?: unknown[][];
  text?: string;
  mimeType?: string;
  offset: number;
  next: number | null;
};
type OneRequestAnswer = TaskInfo & { results: InlineResult[] };

const OWNER = { user: 'owner', admin: false };

describe('one-request tasks: POST /api/v1/tasks?wait=', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ bodyLimit: 4 * 1024 * 1024 });
  });
  after(() => server.close());

  const submitWaiting = (code: string, wait: string) =>
    server.request({ method: 'POST', url: `/api/v1/tasks?wait=${wait}`, payload: { code } });

  test('a task that ends within the wait answers 200 with the task and its results inline', async () => {
    const res = await submitWaiting('select 42; text hello; log 2', '10s');
    assert.equal(res.statusCode, 200);
    const answer = res.json<OneRequestAnswer>();
    assert.ok(OneRequestTaskSchema.safeParse(answer).success, 'the answer matches its published schema');
    assert.equal(res.headers.location, `/api/v1/tasks/${answer.id}`);
    assert.equal(answer.status, 'Succeed');
    assert.deepEqual(answer.results, [
      {
        index: 0,
        type: 'TABLE',
        columns: [{ name: 'result', type: 'VARCHAR' }],
        rows: [['select 42']],
        offset: 0,
        next: null,
      },
      { index: 1, type: 'TEXT', text: 'hello', offset: 0, next: null },
    ]);
    // The task part is what GET /api/v1/tasks/:id answers.
    const { results: _inline, ...task } = answer;
    const got = (await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}` })).json<TaskInfo>();
    assert.deepEqual(task, got);
  });

  test('nothing else about the task changes: listed, logs and results readable, events replay', async () => {
    const answer = (await submitWaiting('log 3; select 7', '10s')).json<OneRequestAnswer>();
    assert.equal(answer.status, 'Succeed');
    const listed = (await server.request({ method: 'GET', url: '/api/v1/tasks' })).json<{ tasks: TaskInfo[] }>();
    assert.ok(listed.tasks.some((t) => t.id === answer.id));
    const logs = (await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}/logs` })).json<{
      lines: string[];
    }>();
    assert.deepEqual(
      logs.lines.filter((line) => line.startsWith('line ')),
      ['line 0', 'line 1', 'line 2'],
    );
    const page = (await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}/results/0` })).json<{
      rows: unknown[][];
    }>();
    assert.deepEqual(page.rows, [['select 7']]);
    const events = await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}/events` });
    assert.equal(events.statusCode, 200);
    assert.match(events.body, /event: log/);
    assert.match(events.body, /event: resultSet/);
    assert.match(events.body, /event: done\ndata: \{"status":"Succeed"/);
  });

  test('a task still running when the wait ends answers 202 {id, status}, and runs on', async () => {
    const res = await submitWaiting('sleep 60000', '20ms');
    assert.equal(res.statusCode, 202);
    const body = res.json<{ id: string; status: string }>();
    assert.deepEqual(Object.keys(body).sort(), ['id', 'status']);
    assert.ok(['Scheduled', 'Running'].includes(body.status));
    assert.equal(res.headers.location, `/api/v1/tasks/${body.id}`);
    const info = server.runtime.getTask(body.id, OWNER).info();
    assert.ok(['Scheduled', 'Running'].includes(info.status), `still running, not ${info.status}`);
    server.runtime.kill(body.id, OWNER);
    assert.equal((await server.finished(body.id)).status, 'Cancelled');
  });

  test('a task killed while its submit waits answers 200 with Cancelled', async () => {
    const before = new Set(server.runtime.listTasks(OWNER).map((t) => t.id));
    const pending = submitWaiting('sleep 60000', '30s');
    const running = await waitFor(
      () => server.runtime.listTasks(OWNER).find((t) => !before.has(t.id) && t.status === 'Running'),
      { what: 'the waiting task to run' },
    );
    const kill = await server.request({ method: 'POST', url: `/api/v1/tasks/${running.id}/kill` });
    assert.equal(kill.statusCode, 202);
    const res = await pending;
    assert.equal(res.statusCode, 200);
    const answer = res.json<OneRequestAnswer>();
    assert.equal(answer.id, running.id);
    assert.equal(answer.status, 'Cancelled');
    assert.equal(answer.error?.code, 'EC_TASK_CANCELLED');
    assert.deepEqual(answer.results, []);
  });

  test('while the submit waits, the task counts as followed: a shorter caller timeout does not kill it', async () => {
    const watchdog = new CallerWatchdog(server.runtime, { timeoutMs: 30, checkIntervalMs: 10 });
    watchdog.start();
    try {
      const answer = (await submitWaiting('sleep 300', '10s')).json<OneRequestAnswer>();
      assert.equal(answer.status, 'Succeed', JSON.stringify(answer.error));
      assert.equal(watchdog.killed, 0);
    } finally {
      watchdog.close();
    }
  });

  test('the task part is the text GET /api/v1/tasks/:id answers, byte for byte: key order, escaping, labels, error', async () => {
    // The answer writes the task's JSON key by key; GET serialises info() itself. Strings that need
    // escaping, a label, every set type and a failure's error: the optional keys and their places.
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/tasks?wait=10s',
      payload: {
        code: 'select "q" \\ é\t😀; text x; picture; fail the "quoted" \u2028 reason',
        labels: { 'a "k"': 'v\u0001é' },
      },
    });
    assert.equal(res.statusCode, 200);
    const answer = res.json<OneRequestAnswer>();
    assert.equal(answer.status, 'Failed');
    assert.deepEqual(
      answer.resultSets.map((meta) => meta.type),
      ['TABLE', 'TEXT', 'PICTURE'],
    );
    const got = await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}` });
    const taskPart = res.body.slice(0, res.body.lastIndexOf(',"results":['));
    assert.equal(`${taskPart}}`, got.body);
  });

  test('a failed task answers 200 with Failed and its error', async () => {
    const answer = (await submitWaiting('fail no such table', '10s')).json<OneRequestAnswer>();
    assert.equal(answer.status, 'Failed');
    assert.equal(answer.error?.code, 'EC_ENGINE_ERROR');
  });

  test('a TABLE larger than the inline page comes as its first page and a next offset', async () => {
    const answer = (await submitWaiting(`rows ${INLINE_ROWS * 2 + 500}`, '10s')).json<OneRequestAnswer>();
    assert.equal(answer.status, 'Succeed');
    const [table] = answer.results;
    assert.equal(table?.rows?.length, INLINE_ROWS);
    assert.deepEqual(table?.rows?.[INLINE_ROWS - 1], [INLINE_ROWS - 1, `row ${INLINE_ROWS - 1}`]);
    assert.equal(table?.next, INLINE_ROWS);
    const rest = (
      await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}/results/0?offset=${table?.next}` })
    ).json<{ rows: unknown[][] }>();
    assert.deepEqual(rest.rows[0], [INLINE_ROWS, `row ${INLINE_ROWS}`]);
  });

  test('rows past BUFFER_ROWS_BYTES are spliced in as bytes: the same JSON, non-ASCII text and rows included', async () => {
    const res = await submitWaiting(`rows ${INLINE_ROWS}; text grüße 😀; sélect ü`, '10s');
    assert.equal(res.statusCode, 200);
    assert.equal(Number(res.headers['content-length']), res.rawPayload.length);
    const answer = res.json<OneRequestAnswer>();
    assert.ok(OneRequestTaskSchema.safeParse(answer).success, 'the answer matches its published schema');
    const [table, text, other] = answer.results;
    assert.ok(Buffer.byteLength(JSON.stringify(table?.rows)) >= BUFFER_ROWS_BYTES, 'the rows are past the threshold');
    const page = (
      await server.request({ method: 'GET', url: `/api/v1/tasks/${answer.id}/results/0?limit=${INLINE_ROWS}` })
    ).json<{ rows: unknown[][] }>();
    assert.deepEqual(table?.rows, page.rows);
    assert.deepEqual(text, { index: 1, type: 'TEXT', text: 'grüße 😀', offset: 0, next: null });
    assert.deepEqual(other?.rows, [['sélect ü']]);
  });

  test('a text larger than the inline limit comes as whole characters up to it and a next byte offset', async () => {
    // One ASCII byte, then two-byte characters: the limit falls inside a character.
    const content = `a${'é'.repeat(INLINE_BYTES / 2 + 10)}`;
    const answer = (await submitWaiting(`text ${content}`, '10s')).json<OneRequestAnswer>();
    assert.equal(answer.status, 'Succeed');
    const [text] = answer.results;
    assert.equal(text?.type, 'TEXT');
    assert.equal(text?.text, content.slice(0, INLINE_BYTES / 2));
    assert.equal(text?.next, INLINE_BYTES - 1);
    assert.equal(Buffer.byteLength(text?.text ?? ''), INLINE_BYTES - 1);
  });

  test('the inline limit holds for the whole answer: later sets get an empty first page', async () => {
    const content = 'x'.repeat(INLINE_BYTES);
    const answer = (await submitWaiting(`text ${content}\nselect 1`, '10s')).json<OneRequestAnswer>();
    assert.equal(answer.results[0]?.text?.length, INLINE_BYTES);
    assert.equal(answer.results[0]?.next, null);
    assert.deepEqual(answer.results[1]?.rows, []);
    assert.equal(answer.results[1]?.next, 0);
  });

  test('a PICTURE is named inline and read from the result route', async () => {
    const answer = (await submitWaiting('picture', '10s')).json<OneRequestAnswer>();
    assert.deepEqual(answer.results, [{ index: 0, type: 'PICTURE', mimeType: 'image/png', offset: 0, next: 0 }]);
  });

  test('a wait that is not a duration up to 60s is 400 EC_BAD_REQUEST, and nothing runs', async () => {
    const count = server.runtime.listTasks(OWNER).length;
    for (const wait of ['soon', '61s', '-1s']) {
      const res = await submitWaiting('select 1', wait);
      assert.equal(res.statusCode, 400, wait);
      const body = res.json<{ error: { code: string; message: string } }>();
      assert.equal(body.error.code, 'EC_BAD_REQUEST');
      assert.match(body.error.message, /'wait'/);
    }
    assert.equal(server.runtime.listTasks(OWNER).length, count);
  });
});

describe('awaitEnd', () => {
  test('a caller gone before the route ran ends the wait at once, without holding the task', async () => {
    // Stand-ins: the moment a caller leaves between authentication and the route cannot be timed
    // over a real socket; the route sees it as an answer already destroyed.
    let holds = 0;
    const hold = () => {
      holds++;
      return () => {};
    };
    const view = { journal: { hold }, ended: new Promise(() => {}) } as unknown as TaskView;
    const reply = { raw: { destroyed: true } } as unknown as FastifyReply;
    assert.equal(await awaitEnd(view, 60_000, reply), false);
    assert.equal(holds, 0, 'the task was not held as followed');
  });
});
