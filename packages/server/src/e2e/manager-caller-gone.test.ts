import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { type ManagerHarness, managerHarness, type SpawnedManager, TOKENS } from './spawn-manager.js';

interface EngineView {
  id: string;
  url: string;
  token: string;
}
interface JobRef {
  id: string;
  engineId: string;
}

/** The value of an unlabelled sample in Prometheus text; null when absent. */
function sample(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

/**
 * Opens a GET on the manager as alice and resolves once the request went out whole, with the
 * means to leave: `leave()` destroys the socket, as a caller that closes its tab or hits Ctrl-C.
 */
function openRequest(manager: SpawnedManager, path: string): { leave(): void; status: Promise<number | null> } {
  const req = request(`${manager.url}${path}`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
  const status = new Promise<number | null>((resolve) => {
    req.once('response', (res) => {
      resolve(res.statusCode ?? null);
      res.resume();
    });
    req.once('error', () => resolve(null));
    req.once('close', () => resolve(null));
  });
  req.end();
  return { leave: () => req.destroy(), status };
}

describe('engineconn manager: a caller who leaves a proxied job read holds nothing on the engine (end to end)', () => {
  let harness: ManagerHarness;
  let manager: SpawnedManager;
  let job: JobRef;
  let engineMetric: (name: string) => Promise<number | null>;

  before(async () => {
    harness = await managerHarness();
    manager = await harness.start(['--heartbeat-interval', '300ms']);
    // Asked first, for the token its owner is given; the job then goes to this idle engine.
    const asked = await manager.api<{ engine: EngineView }>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const { id: engineId, url, token } = asked.body.engine;
    // A job that runs until killed and opens no result set meanwhile: a page of set 0 with ?wait= waits.
    const submitted = await manager.api<JobRef>('POST', '/api/v1/jobs', {
      engineType: 'duckdb',
      code: 'select count(*) from range(100000000000)',
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    job = submitted.body;
    assert.equal(job.engineId, engineId, 'the job runs on the engine asked for');
    // The engine's own /metrics: what an operator would watch.
    engineMetric = async (name) => {
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      return sample(await res.text(), name);
    };
    await waitFor(async () => (await manager.api<{ status: string }>('GET', `/api/v1/jobs/${job.id}`)).body.status, {
      until: (status) => status === 'Running',
      what: 'the job to run',
    });
  });
  after(async () => {
    await manager.api('POST', `/api/v1/jobs/${job.id}/kill`);
    await harness.close();
  });

  test("a job's result page with ?wait= whose caller leaves ends its wait on the engine", async () => {
    assert.equal(await engineMetric('engineconn_result_waits'), 0, 'no wait before the read');
    const read = openRequest(manager, `/api/v1/jobs/${job.id}/results/0?wait=60s`);
    await waitFor(() => engineMetric('engineconn_result_waits'), {
      until: (n) => n === 1,
      what: "the page's wait on the engine",
    });
    read.leave();
    // Well inside the 60 s the wait would otherwise hold the engine's request for.
    await waitFor(() => engineMetric('engineconn_result_waits'), {
      until: (n) => n === 0,
      timeoutMs: 20_000,
      what: "the engine's wait to end once the caller left",
    });
    assert.equal(await read.status, null, 'the caller left before any answer');
  });

  test("a job's event stream whose caller leaves closes its stream on the engine", async () => {
    // The manager follows every job to its end itself, over one stream of its own.
    await waitFor(() => engineMetric('engineconn_event_followers'), {
      until: (n) => n === 1,
      what: "the manager's own stream",
    });
    const stream = openRequest(manager, `/api/v1/jobs/${job.id}/events`);
    assert.equal(await stream.status, 200);
    await waitFor(() => engineMetric('engineconn_event_followers'), {
      until: (n) => n === 2,
      what: "the caller's stream on the engine",
    });
    stream.leave();
    await waitFor(() => engineMetric('engineconn_event_followers'), {
      until: (n) => n === 1,
      timeoutMs: 20_000,
      what: "the caller's stream on the engine to close once the caller left",
    });
  });
});
