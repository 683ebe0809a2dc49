import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Column, EngineConnError, EngineError, escalateKill } from '@engineconn/core';
import type { ChildMessage, ParentMessage } from './protocol.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./sqlite-child.js', import.meta.url));

/**
 * The child's environment: ours without NODE_EXTRA_CA_CERTS. Node reads and parses that file of
 * certificates before running any code (85 ms of the child's 155 ms start with a system bundle),
 * and the child makes no TLS connection; its start is on the path to the EngineConn being ready.
 */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  return env;
}

export interface StatementHandlers {
  onColumns(columns: Column[]): Promise<void>;
  onRows(rows: unknown[][]): Promise<void>;
}

export interface StatementResult {
  reader: boolean;
  changes: number;
  lastInsertRowid: number | string;
}

/** Thrown into the running statement when its process was killed on purpose. */
export class KilledError extends Error {
  constructor() {
    super('The SQLite process was killed.');
    this.name = 'KilledError';
  }
}

interface Pending {
  id: number;
  handlers: StatementHandlers;
  resolve(result: StatementResult): void;
  reject(err: unknown): void;
  /** Batches are handed over strictly in order, each acknowledged once written. */
  chain: Promise<void>;
  failed: unknown;
}

/** One child process that owns the database (see sqlite-child.ts for why a process). */
export class SqliteProcess {
  readonly child: ChildProcess;
  /** Resolves with SQLite's version once the database is open. */
  readonly ready: Promise<string>;
  readonly exited: Promise<void>;
  #pending: Pending | undefined;
  #nextId = 1;
  #killed = false;
  #stderr = '';

  constructor(path: string) {
    this.child = fork(CHILD_SCRIPT, [path], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
      env: childEnv(),
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'ready') resolve(message.version);
        else if (message.type === 'fatal') reject(new Error(message.message));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) =>
        reject(new Error(`the SQLite process exited during start-up (${signal ?? code}) ${this.#stderr.trim()}`)),
      );
      this.child.once('error', reject);
    });
    this.ready.catch(() => {});
    this.child.on('message', (message: ChildMessage) => this.#onMessage(message));
    this.child.once('exit', (code, signal) => this.#onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** Runs one statement; rows flow through the handlers with back-pressure. */
  run(sql: string, batchRows: number, handlers: StatementHandlers): Promise<StatementResult> {
    if (this.#pending) return Promise.reject(new Error('the SQLite process is already running a statement'));
    const id = this.#nextId++;
    return new Promise<StatementResult>((resolve, reject) => {
      this.#pending = { id, handlers, resolve, reject, chain: Promise.resolve(), failed: undefined };
      this.#send({ type: 'run', id, sql, batchRows });
    });
  }

  /** SIGKILL: the only way to stop a statement that is inside SQLite's native code. */
  async kill(): Promise<void> {
    this.#killed = true;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Closes the database and waits for the process to exit; kills it if it does not within `graceMs`. */
  async close(graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await escalateKill({
      steps: [
        { name: 'close', run: () => this.#send({ type: 'close' }) },
        { name: 'SIGKILL', run: () => this.child.kill('SIGKILL') },
      ],
      graceMs,
      stopped: this.exited,
    });
  }

  #send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  #onMessage(message: ChildMessage): void {
    const pending = this.#pending;
    if (!pending || !('id' in message) || message.id !== pending.id) return;
    switch (message.type) {
      case 'columns':
        this.#enqueue(pending, () => pending.handlers.onColumns(message.columns));
        break;
      case 'rows':
        // After a failed write the rest of the result is drained (acked unwritten) rather than the
        // process killed, so an in-memory database survives a full disk.
        this.#enqueue(
          pending,
          () => pending.handlers.onRows(message.rows),
          () => this.#send({ type: 'ack', id: pending.id }),
        );
        break;
      case 'done':
        this.#enqueue(
          pending,
          async () => {},
          () => {
            this.#pending = undefined;
            if (pending.failed !== undefined) pending.reject(pending.failed);
            else
              pending.resolve({
                reader: message.reader,
                changes: message.changes,
                lastInsertRowid: message.lastInsertRowid,
              });
          },
        );
        break;
      case 'error':
        this.#enqueue(
          pending,
          async () => {},
          () => {
            this.#pending = undefined;
            pending.reject(
              pending.failed ?? new EngineError(`${message.message}${message.code ? ` (${message.code})` : ''}`),
            );
          },
        );
        break;
    }
  }

  /** Runs `step` after the previous ones (skipped once a step failed), then `always`. */
  #enqueue(pending: Pending, step: () => Promise<void>, always?: () => void): void {
    pending.chain = pending.chain
      .then(async () => {
        if (pending.failed === undefined) await step();
      })
      .catch((err: unknown) => {
        pending.failed ??= err;
      })
      .then(() => always?.());
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    const err = this.#killed
      ? new KilledError()
      : new EngineConnError(
          'EC_ENGINE_CRASHED',
          `The SQLite process died (${signal ?? `exit ${code}`}) while running a statement. ${this.#stderr.trim()}`,
        );
    pending.failed ??= err;
    pending.reject(err);
  }
}
