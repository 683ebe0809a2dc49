import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { zeroReporterStats } from '@engineconn/core/manager';
import { waitFor } from '@engineconn/testkit';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { createMetricsPlugin } from './metrics-plugin.js';

/** The value of one sample, e.g. `engineconn_tasks_total{status="Succeed"}`; null when absent. */
function sample(text: string, name: string, labels = ''): number | null {
  const key = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(key));
  return line === undefined ? null : Number(line.slice(key.length));
}

const managerStats = zeroReporterStats();

describe('GET /metrics', () => {
  let server: TestServer;
  const scrape = async (): Promise<string> => {
    const res = await server.request({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };

  before(async () => {
    server = await startTestServer({
      options: { 'ec.concurrency': '2' },
      plugins: [createMetricsPlugin({ managerStats: () => managerStats })],
    });
  });
  after(() => server.close());

  test('answers Prometheus text with default process metrics and event-loop delay', async () => {
    const res = await server.request({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.ok(sample(res.body, 'process_resident_memory_bytes') !== null);
    assert.ok(sample(res.body, 'nodejs_eventloop_lag_p99_seconds') !== null);
    assert.equal(
      sample(
        res.body,
        'engineconn_info',
        'id="ec-test",engine="test",engine_version="1.0",executor="concurrent",owner="owner"',
      ),
      1,
    );
  });

  test('task counters, duration histogram, log lines and result rows move as tasks run', async () => {
    const before = await scrape();
    const count = (text: string, status: string) => sample(text, 'engineconn_tasks_total', `status="${status}"`) ?? 0;
    const durations = (text: string) => sample(text, 'engineconn_task_duration_seconds_count', 'status="Succeed"') ?? 0;

    const ok = await server.submit('log 5; rows 7');
    const failed = await server.submit('fail on purpose');
    assert.equal((await server.finished(ok.id)).status, 'Succeed');
    assert.equal((await server.finished(failed.id)).status, 'Failed');

    const afterRun = await scrape();
    assert.equal(count(afterRun, 'Succeed') - count(before, 'Succeed'), 1);
    assert.equal(count(afterRun, 'Failed') - count(before, 'Failed'), 1);
    assert.equal(durations(afterRun) - durations(before), 1);
    // The engine's 5 lines plus the runtime's own line for the failure.
    const lines = (text: string) => sample(text, 'engineconn_task_log_lines_total') ?? 0;
    assert.ok(lines(afterRun) - lines(before) >= 5);
    assert.equal(
      (sample(afterRun, 'engineconn_result_rows_total') ?? 0) - (sample(before, 'engineconn_result_rows_total') ?? 0),
      7,
    );
    assert.equal(
      (sample(afterRun, 'engineconn_tasks_submitted_total') ?? 0) -
        (sample(before, 'engineconn_tasks_submitted_total') ?? 0),
      2,
    );
    assert.ok((sample(afterRun, 'engineconn_task_queue_wait_seconds_count') ?? 0) >= 2);
  });

  test('running and queued gauges and NodeStatus follow the load; a kill counts as Cancelled', async () => {
    const before = await scrape();
    const a = await server.submit('sleep 30000');
    const b = await server.submit('sleep 30000');
    const c = await server.submit('sleep 30000');
    await waitFor(async () => sample(await scrape(), 'engineconn_tasks_running') === 2, { what: 'two running' });
    const busy = await scrape();
    assert.equal(sample(busy, 'engineconn_tasks_queued'), 1);
    assert.equal(sample(busy, 'engineconn_concurrency_limit'), 2);
    assert.equal(sample(busy, 'engineconn_node_status', 'status="Busy"'), 1);
    assert.equal(sample(busy, 'engineconn_node_status', 'status="Unlock"'), 0);
    assert.equal(sample(busy, 'engineconn_health', 'health="Healthy"'), 1);
    assert.equal(sample(busy, 'engineconn_result_waits'), 0);
    // A page that waits for a set the task has not opened, counted while it waits.
    const page = server.request({ method: 'GET', url: `/api/v1/tasks/${a.id}/results/0?wait=30s` });
    await waitFor(async () => sample(await scrape(), 'engineconn_result_waits') === 1, { what: 'the wait counted' });
    // An event stream following a running task, counted while it follows.
    const events = server.request({ method: 'GET', url: `/api/v1/tasks/${b.id}/events` });
    await waitFor(async () => sample(await scrape(), 'engineconn_event_followers') === 1, {
      what: 'the stream counted',
    });

    for (const { id } of [a, b, c]) {
      const res = await server.request({ method: 'POST', url: `/api/v1/tasks/${id}/kill` });
      assert.equal(res.statusCode, 202);
    }
    for (const { id } of [a, b, c]) assert.equal((await server.finished(id)).status, 'Cancelled');
    const idle = await scrape();
    const cancelled = (text: string) => sample(text, 'engineconn_tasks_total', 'status="Cancelled"') ?? 0;
    assert.equal(cancelled(idle) - cancelled(before), 3);
    assert.equal(sample(idle, 'engineconn_tasks_running'), 0);
    assert.equal(sample(idle, 'engineconn_tasks_queued'), 0);
    assert.equal(sample(idle, 'engineconn_node_status', 'status="Unlock"'), 1);
    // The task ended without the set: the page is answered and its wait no longer counted.
    assert.equal((await page).statusCode, 404);
    assert.match((await events).body, /event: done/);
    const after = await scrape();
    assert.equal(sample(after, 'engineconn_result_waits'), 0);
    assert.equal(sample(after, 'engineconn_event_followers'), 0);
  });

  test('manager report failures are read from the reporter when scraped', async () => {
    const before = sample(await scrape(), 'engineconn_manager_report_failures_total') ?? 0;
    managerStats.failures += 3;
    managerStats.sent += 2;
    const text = await scrape();
    assert.equal(sample(text, 'engineconn_manager_report_failures_total'), before + 3);
    assert.ok((sample(text, 'engineconn_manager_reports_sent_total') ?? 0) >= 2);
  });

  test('bytes written are counted from the sockets of a listening server', async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${server.ownerToken}` };
    const read = async () =>
      sample(await (await fetch(`${base}/metrics`, { headers })).text(), 'engineconn_http_bytes_written_total') ?? 0;
    const first = await read();
    const body = await (await fetch(`${base}/api/v1/engineconn`, { headers })).text();
    const second = await read();
    // At least the engineconn body and the first /metrics answer went out in between.
    assert.ok(second - first > body.length, `${second} - ${first} > ${body.length}`);
  });
});

describe('GET /metrics, first scraped after tasks ran', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ plugins: [createMetricsPlugin()] });
  });
  after(() => server.close());

  test('counts every task since start, though prom-client loads at the first scrape', async () => {
    const { id } = await server.submit('log 3');
    assert.equal((await server.finished(id)).status, 'Succeed');
    const text = (await server.request({ method: 'GET', url: '/metrics' })).body;
    assert.equal(sample(text, 'engineconn_tasks_total', 'status="Succeed"'), 1);
    assert.equal(sample(text, 'engineconn_task_log_lines_total'), 3);
    assert.equal(sample(text, 'engineconn_task_duration_seconds_count', 'status="Succeed"'), 1);
    assert.equal(sample(text, 'engineconn_task_duration_seconds_bucket', 'status="Succeed",le="+Inf"'), 1);
    assert.equal(sample(text, 'engineconn_task_duration_seconds_count', 'status="Failed"'), 0);
    assert.match(text, /# TYPE engineconn_task_duration_seconds histogram/);
    assert.equal(sample(text, 'engineconn_task_queue_wait_seconds_count'), 1);
  });
});

describe('GET /metrics with an auth file', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      auth: { tokens: [{ token: 'secret-a', user: 'alice', admin: false }] },
      plugins: [createMetricsPlugin()],
    });
  });
  after(() => server.close());

  test('needs a listed bearer token, like the rest of the API', async () => {
    const anonymous = await server.request({ method: 'GET', url: '/metrics' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json<{ error: { code: string } }>().error.code, 'EC_UNAUTHORIZED');
    const allowed = await server.request({ method: 'GET', url: '/metrics', token: 'secret-a' });
    assert.equal(allowed.statusCode, 200);
    assert.ok(sample(allowed.body, 'engineconn_tasks_total', 'status="Succeed"') === 0);
  });
});
