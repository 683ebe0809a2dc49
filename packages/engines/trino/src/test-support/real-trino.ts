import { randomBytes } from 'node:crypto';
import type { Caller, EngineConnRuntime, TaskView } from '@engineconn/core';
import { startTestRuntime } from '@engineconn/testkit';
import { ClientSession } from '../protocol/client-session.js';
import { TrinoClient } from '../protocol/trino-client.js';
import { trinoEngine } from '../trino-engine.js';

// Helpers for the tests against a real Trino (the testkit's throwaway server): run SQL on it
// directly with our protocol client, read what the coordinator itself says about queries, and
// open an in-process EngineConn on it.

export const OWNER: Caller = { user: 'trino-tests', admin: false };

export function marker(prefix = 'm'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** Runs one statement directly (no EngineConn) and returns all its rows. */
export async function query(url: string, sql: string, user = 'trino-tests'): Promise<unknown[][]> {
  const client = new TrinoClient({ server: url, retry: { retryForMs: 10_000 } });
  const session = new ClientSession({ user, source: 'trino-tests' });
  const q = await client.submit(sql, session);
  const rows: unknown[][] = [];
  for (let page = q.page; ; page = await q.next()) {
    if (page.error) throw new Error(`${page.error.errorName}: ${page.error.message}`);
    if (page.data) rows.push(...page.data);
    if (q.done) return rows;
  }
}

export interface CoordinatorQuery {
  id: string;
  state: string;
  errorCode: string | null;
  sql: string;
}

/**
 * The coordinator's own list of queries whose text contains `text` (system.runtime.queries).
 * The probe's own SQL holds the text only split in two, so it never finds itself.
 */
export async function coordinatorQueries(url: string, text: string): Promise<CoordinatorQuery[]> {
  const half = Math.floor(text.length / 2);
  const rows = await query(
    url,
    `SELECT query_id, state, error_code, query FROM system.runtime.queries ` +
      `WHERE strpos(query, concat('${text.slice(0, half)}', '${text.slice(half)}')) > 0`,
  );
  return rows.map(([id, state, errorCode, sql]) => ({
    id: String(id),
    state: String(state),
    errorCode: errorCode === null ? null : String(errorCode),
    sql: String(sql),
  }));
}

/** GET /v1/query/{id}: the coordinator's state and error name for one query. */
export async function queryInfo(url: string, id: string): Promise<{ state: string; errorName: string | undefined }> {
  const client = new TrinoClient({ server: url, retry: { retryForMs: 10_000 } });
  return client.queryEnd(id, new ClientSession({ user: 'trino-tests', source: 'trino-tests' }));
}

export interface TrinoEc {
  runtime: EngineConnRuntime;
  submit(code: string, properties?: Record<string, unknown>): TaskView;
  close(): Promise<void>;
}

/** An in-process async EngineConn on the Trino at `url`. */
export async function openTrinoEc(url: string, options: Record<string, string> = {}): Promise<TrinoEc> {
  const ec = await startTestRuntime({
    plugin: trinoEngine,
    id: marker('ec-trino-'),
    user: OWNER.user,
    executor: 'async',
    options: {
      'trino.server': url,
      'ec.maxFreeTime': '0',
      'ec.killGrace': '10s',
      ...options,
    },
  });
  return {
    runtime: ec.runtime,
    submit: (code, properties) => ec.submit(code, { runType: 'sql', ...(properties ? { properties } : {}) }),
    close: ec.close,
  };
}

/** Every row of result set `index`. */
export async function rowsOf(view: TaskView, index = 0): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await view.results.readRows(index, offset, 1000);
    rows.push(...page.rows);
    offset = page.next;
  }
  return rows;
}
