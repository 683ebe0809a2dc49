import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { spawnEngineConn, TEST_ENGINE, taskFinished } from '../../e2e/spawn-engineconn.js';
import { ManagerReceiver } from './manager-receiver.test-support.js';

// End to end: `engineconn start --caller-timeout` kills the tasks nobody follows any more.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('engineconn start --caller-timeout', () => {
  test('kills an unfollowed task with EC_CALLER_GONE; polled and streamed tasks live on', async () => {
    // The manager's status reports tell the test when the EngineConn is free again without asking
    // about the task, which would count as following it.
    const manager = await new ManagerReceiver().start();
    cleanups.push(() => manager.stop());
    // 3 s: a polling test process that a busy machine stalls for a second must still count as following.
    const ec = await spawnEngineConn([
      ...['--engine', TEST_ENGINE, '--executor', 'serial', '--caller-timeout', '3s'],
      ...['--manager', manager.url, '--max-free-time', '0'],
    ]);
    cleanups.push(() => ec.stop());
    await manager.waitForEvent('status:Unlock');

    const orphan = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'sleep 30000' });
    assert.equal(orphan.status, 202);
    await manager.waitForEvent('status:Busy');
    const unlocks = () => manager.events().filter((e) => e === 'status:Unlock').length;
    await waitFor(() => unlocks() >= 2, { timeoutMs: 30_000, what: 'the EngineConn to be free again' });
    // That it was a kill, not the 30 s sleep ending, is the status. That it waited out the timeout is
    // shown below by the tasks that are followed and outlive it, and, for the exact rule on an injected
    // clock, by caller-watchdog.test.ts.
    const info = await ec.api<{ status: string; error: { code: string } }>('GET', `/api/v1/tasks/${orphan.body.id}`);
    assert.equal(info.body.status, 'Cancelled');
    assert.equal(info.body.error.code, 'EC_CALLER_GONE');
    const logs = await ec.api<{ lines: string[] }>('GET', `/api/v1/tasks/${orphan.body.id}/logs`);
    assert.ok(
      logs.body.lines.includes('[engineconn] killed: no caller followed this task for 3s'),
      logs.body.lines.join('\n'),
    );

    // Polling is following: a task polled all along outlives the timeout.
    const polled = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'sleep 4000' });
    assert.equal((await taskFinished(ec, polled.body.id, undefined, 30_000)).status, 'Succeed');

    // So is an open event stream, even when no event flows for longer than the timeout.
    const streamed = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'sleep 4000' });
    const events = await fetch(`${ec.url}/api/v1/tasks/${streamed.body.id}/events`, {
      headers: { authorization: `Bearer ${ec.token}` },
    });
    const text = await events.text();
    assert.match(text, /event: done\ndata: \{"status":"Succeed"/);
  });
});
