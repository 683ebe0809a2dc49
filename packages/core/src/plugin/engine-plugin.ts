import type { ExecutorKind, Health } from '@engineconn/protocol/constants';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EngineConnHooks } from './hooks.js';
import type { TaskContext } from './task-context.js';

export { EXECUTOR_KINDS, type ExecutorKind } from '@engineconn/protocol/constants';

/** A minimal structured logger (pino's call shape), so core does not depend on a logging library. */
export interface EngineLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface SessionEnv {
  /** How many tasks may run at once (1 for serial); size pools to it. */
  readonly concurrency: number;
  readonly logger: EngineLogger;
  /**
   * Aborts if start-up is abandoned (SIGTERM while connecting, a shutdown) or `ec.startTimeout`
   * passes. Start-up then fails at once whatever the engine does, and a session it still returns
   * is closed; an engine should stop connecting and reject.
   */
  readonly signal: AbortSignal;
}

/**
 * Runs code of one code-language label (Linkis' labelled executor) against the session. The
 * scheduling (serial, concurrent, async) is the framework's; this only runs one task.
 */
export interface CodeExecutor {
  execute(task: TaskContext): Promise<void>;
  /** Releases what this executor holds; called before the session closes. */
  close?(): Promise<void>;
}

/**
 * One engine, as a plain declarative object (Linkis' EngineConnPlugin + EngineConnFactory +
 * ExecutorFactory). Checked by `defineEngine` when registered.
 */
export interface EnginePlugin<S = unknown> {
  /** The engine type, e.g. `duckdb`; `engineconn start --engine <name>`. */
  readonly name: string;
  /** The engine's version, e.g. `1.5`; appears in the `engineType` label as `duckdb-1.5`. */
  readonly version: string;
  readonly description?: string;
  /** The executor used when `--executor` is not given. */
  readonly defaultExecutor: ExecutorKind;
  /** The executors this engine can run under (e.g. a stateful interpreter only serial and once). */
  readonly executors: readonly ExecutorKind[];
  /** The code-language labels it runs, default first (e.g. `['sql']`). */
  readonly runTypes: readonly [string, ...string[]];
  /** A one-line task to suggest to a new user, e.g. `select 42 as answer`. */
  readonly example?: string;
  /** Concurrency when `--concurrency` is not given (concurrent/async executors). */
  readonly defaultConcurrency?: number;
  /** Defaults for `--conf` options, documented per engine. */
  readonly defaultOptions?: Readonly<Record<string, string>>;
  /**
   * Every `<name>.*` option the engine reads (besides those in defaultOptions); `prefix.*` covers a
   * family such as `shell.env.*`. When given, an undeclared `<name>.*` key fails the start with
   * EC_CONFIG_INVALID naming the closest known one.
   */
  readonly optionKeys?: readonly string[];
  readonly defaultLabels?: Readonly<Record<string, string>>;
  readonly hooks?: EngineConnHooks;
  /** Opens the live session (a database, a pool, an interpreter). A throw fails the start-up. */
  createSession(ctx: EngineCreationContext, env: SessionEnv): Promise<S>;
  /** Creates the executor for one code-language label; called once per label, lazily. */
  createExecutor(session: S, runType: string, ctx: EngineCreationContext): CodeExecutor | Promise<CodeExecutor>;
  /** Closes the session; called once, after every task has stopped. */
  closeSession(session: S): Promise<void>;
  /** Optional probe of the session's health, polled with the overload monitor. */
  checkHealth?(session: S): Health | Promise<Health>;
}
