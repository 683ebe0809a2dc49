import type { Column, EngineConnRuntime, EnginePlugin, ExecutorKind, TaskInfo } from '@engineconn/core';

/** What a probe gets besides the engine session: the runtime and the test's unique marker. */
export interface ProbeContext {
  /** Unique per test run; `long.code` embeds it so an OS-level probe can find exactly this work. */
  readonly marker: string;
  readonly runtime: EngineConnRuntime;
}

export type ExpectedResultSet =
  /** `columns` as names, or as `{name, type}` to check the engine's type names too. */
  | { type: 'TABLE'; columns: readonly string[] | readonly Column[]; rows: readonly (readonly unknown[])[] }
  | { type: 'TEXT' | 'HTML'; text: string | RegExp };

/**
 * One engine's samples and probes for `runConformanceSuite`. Every sample is real code for the real
 * engine; the probes look at the engine or the OS (processes, server-side sessions, threads), never
 * only at the task's status.
 */
export interface ConformanceSpec<S = unknown> {
  plugin: EnginePlugin<S>;
  /** `--conf` options; a function is called after `before`, e.g. to use a server's URL. */
  options?: Record<string, string> | (() => Record<string, string>);
  /** Default: the plugin's default executor. */
  executor?: ExecutorKind;
  /** Default: the plugin's first run type. */
  runType?: string;
  /** Per test (default 30000 ms); an engine behind a slow server (a JVM on a small machine) needs more. */
  testTimeoutMs?: number;
  /** Once before the suite, e.g. start a database server. */
  before?: () => Promise<void> | void;
  /** Once after the suite, even when tests failed. */
  after?: () => Promise<void> | void;

  /** Code producing known result sets, checked in order (TABLE rows are read back in pages). */
  results: { code: string; expect: readonly ExpectedResultSet[] };
  /** Code logging known lines; they must appear in the log in this order (engine notes may come between). */
  logs: { code: string; lines: readonly (string | RegExp)[] };
  /**
   * Code of two or more statements or steps. Progress must only grow and end at 1; with `statements`,
   * the engine must count them and show progress between 0 and 1 on the way.
   */
  multi: { code: string; statements?: number };
  /** Code that fails; the task must fail with this error code (default EC_ENGINE_ERROR) and message. */
  fail: { code: string; message: RegExp; errorCode?: string };
  /** Code that runs until killed. */
  long: {
    code: string | ((marker: string) => string);
    /** Is the real work still running (at the engine or OS level)? Must be true before the kill. */
    isWorkRunning(session: S, task: TaskInfo, probe: ProbeContext): Promise<boolean>;
    /** How long the work may take to show up as running. Default 10000 ms. */
    startWithinMs?: number;
  };
  /**
   * Code for two tasks that run at the same time: it must put `marker` in its output (log or
   * results) and take long enough (≥ 100 ms) to overlap the other. Required unless the executor is
   * serial, in which case the suite checks that a second task is refused with EC_BUSY instead.
   */
  concurrent?: { code: (marker: string) => string };
  /** After shutdown: has the session released everything (processes, backends, workers)? */
  isReleased?(session: S, probe: ProbeContext): Promise<boolean>;
}
