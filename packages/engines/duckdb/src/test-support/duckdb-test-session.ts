import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorKind } from '@engineconn/core';
import { type EngineFixture, type HarnessTask, openEngineFixture, testCreationContext } from '@engineconn/testkit';
import { duckdbEngine } from '../duckdb-engine.js';
import type { DuckDBSession } from '../duckdb-session.js';

export function creationContext(options: Record<string, string> = {}, executor: ExecutorKind = 'concurrent') {
  return testCreationContext({ plugin: duckdbEngine, executor, options });
}

export type TestSession = EngineFixture<DuckDBSession>;

export function openTestSession(options: Record<string, string> = {}, concurrency = 8): Promise<TestSession> {
  return openEngineFixture(duckdbEngine, { runType: 'sql', options, env: { concurrency } });
}

/** Records the size of every `writeRows` / `writeRowLines` batch a task's TABLE result sets receive. */
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
      writeRowLines(lines, rows) {
        sizes.push(rows);
        return writer.writeRowLines(lines, rows);
      },
    };
  };
  return sizes;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
