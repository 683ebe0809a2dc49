import type { DuckDBPendingResult, DuckDBResult } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';

/** Checks made back to back first, so a trivial statement is not slowed down by a timer. */
const IMMEDIATE_CHECKS = 16;
const MAX_DELAY_MS = 16;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  // Not unref'd: this wait is the task's work, and `engineconn once` must not exit under it.
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for a pending (streaming) result while DuckDB's own threads execute it, then returns the
 * result. Unlike `connection.stream()`, no libuv thread is held meanwhile: `pending_execute_check_state`
 * only looks. `DuckDBPendingResult` does not expose that call, so its handle is read here; a version
 * without the field falls back to `getResult()`, which waits on a libuv thread instead.
 */
export async function awaitPendingResult(pending: DuckDBPendingResult): Promise<DuckDBResult> {
  const handle: unknown = Reflect.get(pending, 'pending_result');
  if (handle !== undefined) {
    const raw = handle as bindings.PendingResult;
    let delay = 0;
    for (let check = 0; !bindings.pending_execution_is_finished(bindings.pending_execute_check_state(raw)); check++) {
      if (check < IMMEDIATE_CHECKS) {
        await nextTurn();
      } else {
        delay = Math.min(MAX_DELAY_MS, Math.max(1, delay * 2));
        await sleep(delay);
      }
    }
  }
  return pending.getResult();
}
