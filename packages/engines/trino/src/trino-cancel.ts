import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from '@engineconn/core';
import type { ClientSession } from './protocol/client-session.js';
import type { TrinoClient, TrinoQuery } from './protocol/trino-client.js';

const TERMINAL = new Set(['FINISHED', 'FAILED']);

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A kill: DELETE /v1/query/{id}, then read the coordinator's own record of the query until it
 * shows the query ended with USER_CANCELED — only then has the work stopped. The DELETE is sent
 * again while the query still runs (a restarted coordinator may have missed it), until the task's
 * kill grace is spent; what the coordinator last said is logged either way.
 */
export async function confirmCancel(
  client: TrinoClient,
  query: TrinoQuery,
  session: ClientSession,
  task: Pick<TaskContext, 'log' | 'killGraceMs'>,
): Promise<void> {
  const started = performance.now();
  const deadline = started + task.killGraceMs;
  const elapsed = () => `${(performance.now() - started).toFixed(1)} ms`;
  task.log(`Kill: cancelling Trino query ${query.id} (DELETE /v1/query/${query.id}).`);
  let lastDelete = started;
  let wait = 10;
  for (let deleted = false; ; ) {
    if (!deleted) {
      try {
        await client.cancel(query.id, session);
        deleted = true;
        lastDelete = performance.now();
      } catch (err) {
        task.log(`Kill: the DELETE failed (${describe(err)}).`);
      }
    }
    let state = 'unknown';
    try {
      const end = await client.queryEnd(query.id, session);
      state = end.errorName ? `${end.state} (${end.errorName})` : end.state;
      if (end.state === 'FAILED' && end.errorName === 'USER_CANCELED') {
        task.log(`Kill: the coordinator shows query ${query.id} ${state} after ${elapsed()}.`);
        return;
      }
      if (TERMINAL.has(end.state)) {
        task.log(`Kill: query ${query.id} had already ended ${state} before the cancel reached it.`);
        return;
      }
    } catch (err) {
      state = `unreadable: ${describe(err)}`;
    }
    if (performance.now() >= deadline) {
      task.log(`Kill: query ${query.id} is still ${state} ${elapsed()} after the DELETE; giving up waiting.`);
      return;
    }
    if (performance.now() - lastDelete > 1000) deleted = false;
    await sleep(wait);
    wait = Math.min(wait * 2, 200);
  }
}
