import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  defineEngine,
  EngineError,
  type EnginePlugin,
  type ExecutorKind,
  type SessionEnv,
  type TaskContext,
} from '@engineconn/core';

/** A 1×1 transparent PNG, for PICTURE result sets. */
export const TEST_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

export interface TestEngineOptions {
  /** Executor when `--executor` is not given (default concurrent). */
  defaultExecutor?: ExecutorKind;
  defaultConcurrency?: number;
  /** Makes createSession fail with this message, to test start-up failures (or `--conf test.failSession=MSG`). */
  failSession?: string;
}

/** Holds createSession until start-up is abandoned (`--conf test.holdSession=1`), to test that abort. */
async function holdSession(env: SessionEnv): Promise<never> {
  env.logger.info({}, 'test session held until start-up is abandoned');
  // Holds the process open as a real engine's connection attempt does.
  const connecting = setInterval(() => {}, 1000);
  try {
    if (!env.signal.aborted) await once(env.signal, 'abort');
  } finally {
    clearInterval(connecting);
  }
  const reason = env.signal.reason instanceof Error ? env.signal.reason.message : String(env.signal.reason);
  env.logger.info({ reason }, 'test session saw start-up abandoned');
  throw new EngineError(`start-up abandoned: ${reason}`);
}

/**
 * Gates that `gate NAME` statements wait on, opened by the test with `openGate(NAME)`. The engine runs
 * in the test's process, so a test can hold a task at an exact point (e.g. while it cuts a client's
 * connection) instead of hoping a sleep is long enough on a busy machine.
 */
const gates = new Map<string, { opened: Promise<void>; open: () => void }>();

function gate(name: string): { opened: Promise<void>; open: () => void } {
  let entry = gates.get(name);
  if (!entry) {
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    entry = { opened, open };
    gates.set(name, entry);
  }
  return entry;
}

/** Lets every task waiting at (or later reaching) `gate NAME` go on. */
export function openGate(name: string): void {
  gate(name).open();
}

/**
 * The gate of a test engine running in another process (an EngineConn the test spawned), which
 * `openGate` cannot reach: `file-gate PATH` waits until `open()` has created the file at `path`.
 */
export interface FileGate {
  readonly path: string;
  open(): Promise<void>;
  /** Deletes the gate's directory. */
  remove(): Promise<void>;
}

export async function createFileGate(): Promise<FileGate> {
  const dir = await mkdtemp(join(tmpdir(), 'engineconn-gate-'));
  const path = join(dir, 'open');
  return {
    path,
    open: () => writeFile(path, ''),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs one statement of the test language:
 *   sleep MS        waits MS milliseconds, or until the task is killed
 *   gate NAME       waits until the test calls openGate(NAME), or until the task is killed
 *   file-gate PATH  waits until the file PATH exists (see createFileGate), or until the task is killed
 *   fail MESSAGE    fails the task with EC_ENGINE_ERROR
 *   log N           logs N lines `line 0` … `line N-1`
 *   rows N          a TABLE (n INTEGER, label VARCHAR) of N rows
 *   text CONTENT / html CONTENT   a TEXT / HTML result set
 *   bigtext N       a TEXT result set of N times 'ü😀' (6 UTF-8 bytes each), written in chunks
 *   open N          a TABLE of N rows left open, as an engine cut off mid-stream leaves it
 *   opentext N      a TEXT set of N times 'ü😀' left open (a download following it waits for more)
 *   picture         a PICTURE (image/png) result set
 *   svg CONTENT     a PICTURE (image/svg+xml) result set of that markup
 *   anything else   a TABLE with one column `result` holding the statement
 */
async function runStatement(task: TaskContext, statement: string): Promise<void> {
  const [verb = '', ...rest] = statement.split(/\s+/);
  const arg = rest.join(' ');
  switch (verb.toLowerCase()) {
    case 'sleep': {
      // Aborting the timer is the "cancel the real work" of this engine.
      await delay(Number(arg) || 0, undefined, { signal: task.signal }).catch(() => {});
      return;
    }
    case 'gate': {
      if (task.signal.aborted) return;
      const aborted = new AbortController();
      const killed = once(task.signal, 'abort', { signal: aborted.signal }).catch(() => {});
      await Promise.race([gate(arg).opened, killed]);
      aborted.abort();
      return;
    }
    case 'file-gate': {
      // Polled: the file comes from another process, and a poll leaves no watcher to clean up.
      while (!task.signal.aborted && !existsSync(arg)) {
        await delay(10, undefined, { signal: task.signal }).catch(() => {});
      }
      return;
    }
    case 'fail':
      throw new EngineError(arg || 'the test engine was told to fail');
    case 'log': {
      const n = Number(arg) || 0;
      for (let i = 0; i < n; i++) task.log(`line ${i}`);
      return;
    }
    case 'rows': {
      const n = Number(arg) || 0;
      const writer = await task.createResultSet({
        type: 'TABLE',
        columns: [
          { name: 'n', type: 'INTEGER' },
          { name: 'label', type: 'VARCHAR' },
        ],
      });
      const batch = 1000;
      for (let start = 0; start < n && !task.signal.aborted; start += batch) {
        const rows: unknown[][] = [];
        for (let i = start; i < Math.min(n, start + batch); i++) rows.push([i, `row ${i}`]);
        await writer.writeRows(rows);
      }
      await writer.close();
      return;
    }
    case 'text':
    case 'html': {
      const writer = await task.createResultSet({ type: verb.toLowerCase() === 'text' ? 'TEXT' : 'HTML' });
      await writer.write(arg);
      await writer.close();
      return;
    }
    case 'open': {
      const writer = await task.createResultSet({ type: 'TABLE', columns: [{ name: 'n', type: 'INTEGER' }] });
      await writer.writeRows(Array.from({ length: Number(arg) || 0 }, (_, n) => [n]));
      return;
    }
    case 'opentext': {
      const writer = await task.createResultSet({ type: 'TEXT' });
      await writer.write('ü😀'.repeat(Number(arg) || 0));
      return;
    }
    case 'bigtext': {
      const writer = await task.createResultSet({ type: 'TEXT' });
      const chunk = 'ü😀'.repeat(10_000);
      for (let left = Number(arg) || 0; left > 0 && !task.signal.aborted; left -= 10_000) {
        await writer.write(left >= 10_000 ? chunk : 'ü😀'.repeat(left));
      }
      await writer.close();
      return;
    }
    case 'picture': {
      const writer = await task.createResultSet({ type: 'PICTURE', mimeType: 'image/png' });
      await writer.write(TEST_PNG);
      await writer.close();
      return;
    }
    case 'svg': {
      const writer = await task.createResultSet({ type: 'PICTURE', mimeType: 'image/svg+xml' });
      await writer.write(Buffer.from(arg, 'utf8'));
      await writer.close();
      return;
    }
    default: {
      const writer = await task.createResultSet({ type: 'TABLE', columns: [{ name: 'result', type: 'VARCHAR' }] });
      await writer.writeRows([[statement]]);
      await writer.close();
    }
  }
}

/**
 * A tiny in-process engine for the server, conformance and benchmark suites: it needs no external
 * software and makes every task shape (long, failing, logging, each result set type) one line of code.
 * Statements are separated by `;` or newlines.
 */
export function createTestEngine(options: TestEngineOptions = {}): EnginePlugin<{ closed: boolean }> {
  return defineEngine<{ closed: boolean }>({
    name: 'test',
    version: '1.0',
    description: 'In-process engine for tests',
    defaultExecutor: options.defaultExecutor ?? 'concurrent',
    executors: ['serial', 'concurrent', 'async', 'once'],
    runTypes: ['test', 'sql'],
    defaultConcurrency: options.defaultConcurrency ?? 4,
    defaultLabels: { engine: 'test' },
    optionKeys: ['test.failSession', 'test.holdSession'],
    async createSession(ctx, env) {
      const fail = options.failSession ?? ctx.optionalString('test.failSession');
      if (fail) throw new EngineError(fail);
      if (ctx.has('test.holdSession')) await holdSession(env);
      return { closed: false };
    },
    createExecutor() {
      return {
        async execute(task) {
          const statements = task.code
            .split(/[;\n]/)
            .map((s) => s.trim())
            .filter((s) => s !== '');
          task.statements(statements.length);
          for (const [index, statement] of statements.entries()) {
            if (task.signal.aborted) return;
            task.statementStarted(index);
            await runStatement(task, statement);
          }
        },
      };
    },
    async closeSession(session) {
      session.closed = true;
    },
  });
}

export const testEngine = createTestEngine();

export default testEngine;
