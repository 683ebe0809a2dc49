import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeExecutor, ExecutorKind } from '@engineconn/core';
import {
  createHarnessTask,
  type HarnessOptions,
  type HarnessTask,
  testCreationContext,
  testSessionEnv,
} from '@engineconn/testkit';
import { duckdbEngine } from '../duckdb-engine.js';
import type { DuckDBSession } from '../duckdb-session.js';

export function creationContext(options: Record<string, string> = {}, executor: ExecutorKind = 'concurrent') {
  return testCreationContext({ plugin: duckdbEngine, executor, options });
}

export interface TestSession {
  readonly session: DuckDBSession;
  readonly executor: CodeExecutor;
  /** A harness task for this session, not started yet. */
  task(code: string, options?: Omit<HarnessOptions, 'code'>): HarnessTask;
  /** Runs code to the end; the promise settles like the engine's `execute`. */
  run(code: string, options?: Omit<HarnessOptions, 'code'>): Promise<HarnessTask>;
  /** Starts code and hands back the harness at once, with the settling promise. */
  start(code: string, options?: Omit<HarnessOptions, 'code'>): { harness: HarnessTask; done: Promise<void> };
  close(): Promise<void>;
}

export async function openTestSession(options: Record<string, string> = {}, concurrency = 8): Promise<TestSession> {
  const ctx = creationContext(options);
  const session = await duckdbEngine.createSession(ctx, testSessionEnv({ concurrency }));
  const executor = await duckdbEngine.createExecutor(session, 'sql', ctx);
  const task = (code: string, rest: Omit<HarnessOptions, 'code'> = {}) =>
    createHarnessTask({ runType: 'sql', ...rest, code });
  const start = (code: string, rest: Omit<HarnessOptions, 'code'> = {}) => {
    const harness = task(code, rest);
    return { harness, done: executor.execute(harness.context) };
  };
  return {
    session,
    executor,
    task,
    start,
    async run(code, rest) {
      const { harness, done } = start(code, rest);
      await done;
      return harness;
    },
    close: () => duckdbEngine.closeSession(session),
  };
}

/** Records the size of every `writeRows` batch a task's TABLE result sets receive. */
export function recordBatches(harness: HarnessTask): number[] {
  const sizes: number[] = [];
  const context = harness.context;
  const create = context.createResultSet.bind(context);
  context.createResultSet = async (spec) => {
    const writer = await create(spec);
    return {
      index: writer.index,
      write: (chunk) => writer.write(chunk),
      close: () => writer.close(),
      writeRows(rows) {
        sizes.push(rows.length);
        return writer.writeRows(rows);
      },
    };
  };
  return sizes;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
