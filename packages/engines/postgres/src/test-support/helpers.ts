import type { CodeExecutor, EngineCreationContext, ResultSetSpec, SessionEnv, TaskContext } from '@engineconn/core';
import {
  createHarnessTask,
  type HarnessOptions,
  type HarnessTask,
  testCreationContext,
  testSessionEnv,
} from '@engineconn/testkit';
import { postgresEngine } from '../postgres-engine.js';
import type { PostgresSession } from '../postgres-session.js';

export function creationContext(options: Record<string, string>): EngineCreationContext {
  return testCreationContext({ engineType: 'postgres', options });
}

export function sessionEnv(concurrency: number): SessionEnv {
  return testSessionEnv({ concurrency });
}

export interface Opened {
  session: PostgresSession;
  executor: CodeExecutor;
  appName: string;
}

/** Opens a session whose connections carry a unique application_name, to find them in pg_stat_activity. */
export async function openSession(
  url: string,
  concurrency: number,
  options: Record<string, string> = {},
): Promise<Opened> {
  const appName = `ec-test-${Math.random().toString(36).slice(2, 10)}`;
  const ctx = creationContext({ 'postgres.url': `${url}?application_name=${appName}`, ...options });
  const session = await postgresEngine.createSession(ctx, sessionEnv(concurrency));
  const executor = await postgresEngine.createExecutor(session, 'sql', ctx);
  return { session, executor, appName };
}

export async function run(executor: CodeExecutor, options: HarnessOptions): Promise<HarnessTask> {
  const task = createHarnessTask({ runType: 'sql', ...options });
  await executor.execute(task.context);
  return task;
}

export interface CountingTask {
  context: TaskContext;
  controller: AbortController;
  batches: number[];
  tables: { columns: unknown; rows: number }[];
}

/**
 * A task whose TABLE writers only count rows (the harness keeps every row in memory, which would hide
 * whether the engine itself streams), and can run a hook on each batch.
 */
export function countingTask(
  code: string,
  onBatch?: (batch: number, task: CountingTask) => void | Promise<void>,
): CountingTask {
  const base = createHarnessTask({ code, runType: 'sql' });
  const counting: CountingTask = { context: base.context, controller: base.controller, batches: [], tables: [] };
  counting.context = {
    ...base.context,
    async createResultSet(spec: ResultSetSpec) {
      if (spec.type !== 'TABLE') return base.context.createResultSet(spec);
      const table = { columns: spec.columns, rows: 0 };
      counting.tables.push(table);
      const batch = async (rows: number) => {
        table.rows += rows;
        counting.batches.push(rows);
        await onBatch?.(counting.batches.length, counting);
        await new Promise((resolve) => setImmediate(resolve));
      };
      return {
        index: counting.tables.length - 1,
        writeRows: (rows) => batch(rows.length),
        writeRowLines: (_lines, rows) => batch(rows),
        async write() {
          throw new Error('write on a TABLE result set');
        },
        async close() {},
      };
    },
  };
  return counting;
}
