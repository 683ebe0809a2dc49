import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  EngineConnError,
  type EngineLogger,
  escalateKill,
  killGroup,
  niceChild,
  type ResultSetWriter,
  signalGroup,
  type TaskContext,
} from '@engineconn/core';
import {
  type DoneMessage,
  DRIVER_PROTOCOL_VERSION,
  type DriverMessage,
  encodeRequest,
  PROTOCOL_ENV,
} from './driver-protocol.js';
import { readMessages } from './message-reader.js';
import { writeResult } from './result-messages.js';
import { SyncChannel } from './sync-channel.js';

/** The driver ships beside dist/, not inside it: `python/driver.py` in this package. */
export const DRIVER_PATH = fileURLToPath(new URL('../python/driver.py', import.meta.url));
const PIPE_DRAIN_MS = 1000;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type RunOutcome =
  | { status: 'ok' }
  | { status: 'error'; message: string }
  | { status: 'interrupted' }
  | { status: 'write-failed'; error: unknown }
  | { status: 'exited'; exit: ExitInfo; killed: boolean }
  /** The driver sent what the protocol does not allow (or could not read a request); it was killed. */
  | { status: 'protocol-error'; message: string };

/** The driver's answer at start-up: its Python version, or why it will not serve this EngineConn. */
type StartAnswer = { version: string } | { refused: string };

export interface InterpreterOptions {
  command: string;
  startupTimeoutMs: number;
  /** How much lower than the event loop the interpreter runs (niceChild). */
  nice: number;
  logger: EngineLogger;
}

interface ActiveRun {
  readonly id: string;
  readonly task: TaskContext;
  acked: boolean;
  interruptWanted: boolean;
  table: ResultSetWriter | undefined;
  writeFailure: unknown;
  finished: boolean;
  finish(outcome: RunOutcome): void;
}

/**
 * One Python interpreter child running `driver.py`, in a process group of its own so that killing
 * it also kills whatever user code started. Runs one task at a time.
 */
export class Interpreter {
  readonly pid: number;
  /** Resolves once the child has exited, its group is gone and its output is read. */
  readonly settled: Promise<ExitInfo>;
  #alive = true;
  #killed = false;
  #active: ActiveRun | undefined;
  #ready: { resolve(answer: StartAnswer): void; promise: Promise<StartAnswer> };
  #started = false;
  /** Why the driver was killed for breaking the protocol, once it was. */
  #violation: string | undefined;
  readonly #requests: Writable;
  readonly #stdout: SyncChannel;
  readonly #stderr: SyncChannel;

  private constructor(child: ChildProcess, pid: number, marker: Buffer, logger: EngineLogger) {
    this.pid = pid;
    const [, out, err, requests, messages] = child.stdio as [null, Readable, Readable, Writable, Readable];
    this.#requests = requests;
    // A write to a dead interpreter fails here; the death itself is reported through `settled`.
    requests.on('error', () => {});
    this.#stdout = new SyncChannel(out, marker, (line) => logger.info({ stream: 'stdout', pid }, line));
    this.#stderr = new SyncChannel(err, marker, (line) => logger.warn({ stream: 'stderr', pid }, line));
    let resolveReady: (answer: StartAnswer) => void = () => {};
    this.#ready = { promise: new Promise((resolve) => (resolveReady = resolve)), resolve: (a) => resolveReady(a) };
    const exited = new Promise<ExitInfo>((resolve) =>
      child.once('exit', (code, signal) => {
        this.#alive = false;
        resolve({ code, signal });
      }),
    );
    this.settled = exited.then((exit) => this.#afterExit(exit));
    void readMessages(
      messages,
      (message) => this.#handle(message),
      (line, why) => {
        logger.error({ pid, line: line.slice(0, 200) }, `the python driver sent ${why}`);
        this.#violated(`it sent ${why}`);
      },
    );
  }

  /** Spawns the interpreter and waits for the driver's `ready`; the version is its major.minor. */
  static async start(options: InterpreterOptions): Promise<{ interpreter: Interpreter; version: string }> {
    const marker = `\x1e\x1fengineconn-sync-${randomBytes(12).toString('hex')}\x1f\x1e`;
    const child = spawn(options.command, [DRIVER_PATH], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ENGINECONN_PY_SYNC: marker, [PROTOCOL_ENV]: String(DRIVER_PROTOCOL_VERSION) },
    });
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    if (child.pid === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        `Could not start '${options.command}': ${spawnError?.message ?? 'unknown error'}. Set python.command to a Python 3 interpreter.`,
      );
    }
    // Python starts no thread and no process of its own before the driver runs: all it starts later
    // inherits this. A system that refuses it leaves the interpreter at the loop's value, as the
    // thread sweep does (keepEngineThreadsNiced), rather than failing the start with the child running.
    try {
      niceChild(child.pid, options.nice);
    } catch (err) {
      options.logger.warn(
        { err, pid: child.pid },
        'the python interpreter keeps the event loop priority: the system refused to lower it',
      );
    }
    const interpreter = new Interpreter(child, child.pid, Buffer.from(marker), options.logger);
    const timer = new AbortController();
    const outcome = await Promise.race([
      interpreter.#ready.promise,
      interpreter.settled.then((exit) => ({ exit })),
      delay(options.startupTimeoutMs, { timeout: true }, { signal: timer.signal }).catch(() => ({ timeout: true })),
    ]);
    timer.abort();
    if ('version' in outcome) return { interpreter, version: outcome.version };
    await interpreter.kill();
    const why =
      'refused' in outcome
        ? outcome.refused
        : 'exit' in outcome
          ? `it exited (${describeExit(outcome.exit)})`
          : `it was not ready within ${options.startupTimeoutMs} ms`;
    const stderr = interpreter.#stderr.recentStrayLines.slice(-10).join('\n');
    throw new EngineConnError(
      'EC_ENGINE_START_FAILED',
      `The Python interpreter '${options.command}' did not start: ${why}.${stderr ? `\n${stderr}` : ''}`,
    );
  }

  /** False from the moment it is being killed, so no task is sent to a dying interpreter. */
  get alive(): boolean {
    return this.#alive && !this.#killed;
  }

  /** Runs one task to its end: the driver's outcome once all its output is read, or the exit. */
  async run(task: TaskContext): Promise<RunOutcome> {
    if (!this.alive) return { status: 'exited', exit: await this.settled, killed: this.#killed };
    const output = Promise.all([
      this.#stdout.attach((line) => task.log(line)),
      this.#stderr.attach((line) => task.log(line)),
    ]);
    let active: ActiveRun | undefined;
    const outcome = await new Promise<RunOutcome>((resolve) => {
      active = {
        id: task.id,
        task,
        acked: false,
        interruptWanted: false,
        table: undefined,
        writeFailure: undefined,
        finished: false,
        finish(result) {
          if (this.finished) return;
          this.finished = true;
          resolve(result);
        },
      };
      this.#active = active;
      this.#requests.write(encodeRequest({ type: 'run', id: task.id, code: task.code }));
    });
    await output;
    this.#active = undefined;
    // A dead or killed driver outranks a failed write: the session must see it to replace the interpreter.
    if (active?.writeFailure !== undefined && outcome.status !== 'exited' && outcome.status !== 'protocol-error') {
      return { status: 'write-failed', error: active.writeFailure };
    }
    return outcome;
  }

  /**
   * Asks the running task to stop: SIGINT, which the driver turns into KeyboardInterrupt in user
   * code. Sent only once the driver has acknowledged the task, so it can never hit the driver.
   */
  interrupt(): void {
    const active = this.#active;
    if (!active || active.finished) return;
    active.interruptWanted = true;
    if (active.acked) this.#sigint();
  }

  /** SIGKILLs the interpreter and everything it started; resolves once all of it is gone. */
  async kill(): Promise<ExitInfo> {
    this.#killed = true;
    signalGroup(this.pid, 'SIGKILL');
    return this.settled;
  }

  /** Ends the session politely (EOF on the request pipe), killing it if it lingers past `graceMs`. */
  async close(graceMs: number): Promise<void> {
    if (this.#alive) {
      await escalateKill({
        steps: [
          { name: 'eof', run: () => this.#requests.end() },
          { name: 'SIGKILL', run: () => void this.kill() },
        ],
        graceMs,
        stopped: this.settled,
      });
    }
    await this.settled;
  }

  #sigint(): void {
    try {
      process.kill(this.pid, 'SIGINT');
    } catch {
      // Already exited; the exit is reported through `settled`.
    }
  }

  async #afterExit(exit: ExitInfo): Promise<ExitInfo> {
    // Whatever user code started dies with the interpreter, and only then do the pipes close.
    await killGroup(this.pid);
    const timer = new AbortController();
    const drained = await Promise.race([
      Promise.all([this.#stdout.ended, this.#stderr.ended]).then(() => true),
      delay(PIPE_DRAIN_MS, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!drained) {
      this.#stdout.abandon();
      this.#stderr.abandon();
    }
    this.#active?.finish(
      this.#violation !== undefined
        ? { status: 'protocol-error', message: this.#violation }
        : { status: 'exited', exit, killed: this.#killed },
    );
    return exit;
  }

  async #handle(message: DriverMessage): Promise<void> {
    // After a violation nothing more is believed, not even a `done` already on its way.
    if (this.#violation !== undefined) return;
    const active = this.#active;
    switch (message.type) {
      case 'ready':
        if (message.protocol !== DRIVER_PROTOCOL_VERSION) {
          this.#violated(
            `its driver speaks protocol version ${message.protocol} and this EngineConn version ` +
              `${DRIVER_PROTOCOL_VERSION}: ${DRIVER_PATH} belongs to another version of the python engine; reinstall it`,
          );
          return;
        }
        this.#started = true;
        this.#ready.resolve({ version: message.version });
        return;
      case 'fatal':
        this.#violated(`its driver refused to start (protocol version ${message.protocol}): ${message.message}`);
        return;
      case 'protocol-error':
        this.#violated(`its driver could not read a request: ${message.message}`);
        return;
      case 'started':
        if (active && message.id === active.id) {
          active.acked = true;
          if (active.interruptWanted) this.#sigint();
        }
        return;
      case 'done':
        if (active && message.id === active.id) {
          await this.#closeTable(active);
          active.finish(outcomeOf(message));
        }
        return;
      default:
        if (!active || active.writeFailure !== undefined) return;
        try {
          active.table = await writeResult(active.task, active.table, message);
        } catch (err) {
          active.writeFailure = err;
          active.table = undefined;
        }
    }
  }

  /**
   * The driver broke the protocol: before `ready` the start fails with `why`; afterwards nothing it
   * sends can be trusted (user code may have written to its message pipe), so it is killed, and a
   * running task fails with `why` once the interpreter is gone.
   */
  #violated(why: string): void {
    if (!this.#started) {
      this.#ready.resolve({ refused: why });
      return;
    }
    if (this.#violation !== undefined) return;
    this.#violation = `The Python driver broke its protocol (${why})`;
    void this.kill();
  }

  async #closeTable(active: ActiveRun): Promise<void> {
    const table = active.table;
    active.table = undefined;
    try {
      await table?.close();
    } catch (err) {
      active.writeFailure ??= err;
    }
  }
}

function outcomeOf(message: DoneMessage): RunOutcome {
  if (message.status === 'error') return { status: 'error', message: message.message };
  return { status: message.status };
}

export function describeExit(exit: ExitInfo): string {
  if (exit.signal === 'SIGKILL') return 'killed by signal SIGKILL, e.g. by the out-of-memory killer';
  if (exit.signal) return `killed by signal ${exit.signal}`;
  return `exit code ${exit.code}`;
}
