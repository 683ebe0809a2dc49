import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Column,
  encodeRow,
  type ProgressInfo,
  type ResultSetSpec,
  type ResultSetWriter,
  TaskAbortError,
  type TaskContext,
} from '@engineconn/core';

export interface CapturedResultSet {
  index: number;
  type: ResultSetSpec['type'];
  columns?: Column[];
  mimeType?: string;
  /** The rows as a reader gets them: each stored line (`lines`) parsed. */
  rows: unknown[][];
  /** Each row as the EngineConn stores it: the JSON text `encodeRow` writes (docs/api.md). */
  lines: string[];
  chunks: (string | Uint8Array)[];
  closed: boolean;
}

export interface HarnessTask {
  readonly context: TaskContext;
  readonly controller: AbortController;
  readonly logs: string[];
  readonly progress: { value: number; info?: ProgressInfo[] }[];
  readonly resultSets: CapturedResultSet[];
  readonly statements: { total: number; started: number[] };
  /** The text of a TEXT/HTML result set. */
  text(index: number): string;
}

export interface HarnessOptions {
  code: string;
  runType?: string;
  user?: string;
  properties?: Record<string, unknown>;
  killGraceMs?: number;
}

/**
 * The harness's kill switch. A bare `abort()` aborts as the runtime's kill does, with a
 * TaskAbortError of kind `kill`, so an engine reading `signal.reason` or an `onAbort` listener's
 * argument meets what it meets in an EngineConn, not a DOMException.
 */
class HarnessAbortController extends AbortController {
  override abort(reason: unknown = new TaskAbortError({ kind: 'kill' })): void {
    super.abort(reason);
  }
}

/**
 * An in-memory TaskContext for an engine's own unit tests: it records what the engine logs, reports
 * and writes. The conformance suite runs engines through the real EngineConn runtime instead.
 */
export function createHarnessTask(options: HarnessOptions): HarnessTask {
  const controller = new HarnessAbortController();
  const logs: string[] = [];
  const progress: HarnessTask['progress'] = [];
  const resultSets: CapturedResultSet[] = [];
  const statements = { total: 0, started: [] as number[] };
  const context: TaskContext = {
    id: `harness-${Math.random().toString(36).slice(2, 10)}`,
    code: options.code,
    runType: options.runType ?? 'default',
    user: options.user ?? 'tester',
    properties: options.properties ?? {},
    labels: {},
    signal: controller.signal,
    get aborted() {
      return controller.signal.aborted;
    },
    // The harness aborts through its controller; a listener hears it as it would from the runtime.
    onAbort(listener) {
      const { signal } = controller;
      if (signal.aborted) return () => {};
      const onAbort = () => listener(signal.reason as TaskAbortError);
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    },
    killGraceMs: options.killGraceMs ?? 1000,
    workDir: mkdtempSync(join(tmpdir(), 'ec-harness-')),
    log(text) {
      logs.push(...text.replace(/\r?\n$/, '').split(/\r?\n/));
    },
    progress(value, info) {
      progress.push(info ? { value, info } : { value });
    },
    statements(total) {
      statements.total = total;
    },
    statementStarted(index) {
      statements.started.push(index);
    },
    async createResultSet(spec) {
      const captured: CapturedResultSet = {
        index: resultSets.length,
        type: spec.type,
        rows: [],
        lines: [],
        chunks: [],
        closed: false,
        ...(spec.type === 'TABLE' ? { columns: spec.columns } : {}),
        ...(spec.type === 'PICTURE' && spec.mimeType ? { mimeType: spec.mimeType } : {}),
      };
      resultSets.push(captured);
      const writer: ResultSetWriter = {
        index: captured.index,
        async writeRows(rows) {
          if (captured.type !== 'TABLE') throw new Error('writeRows on a non-TABLE result set');
          for (const row of rows) {
            const line = encodeRow(row);
            captured.lines.push(line);
            captured.rows.push(JSON.parse(line) as unknown[]);
          }
        },
        async writeRowLines(bytes, count) {
          if (captured.type !== 'TABLE') throw new Error('writeRowLines on a non-TABLE result set');
          const lines = Buffer.from(bytes).toString('utf8').split('\n');
          if (lines.pop() !== '' || lines.length !== count) throw new Error(`writeRowLines: not ${count} lines`);
          for (const line of lines) {
            captured.lines.push(line);
            captured.rows.push(JSON.parse(line) as unknown[]);
          }
        },
        async write(chunk) {
          if (captured.type === 'TABLE') throw new Error('write on a TABLE result set');
          captured.chunks.push(chunk);
        },
        async close() {
          captured.closed = true;
        },
      };
      return writer;
    },
  };
  return {
    context,
    controller,
    logs,
    progress,
    resultSets,
    statements,
    text(index) {
      const set = resultSets[index];
      if (!set) throw new Error(`no result set ${index}`);
      return set.chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('');
    },
  };
}
