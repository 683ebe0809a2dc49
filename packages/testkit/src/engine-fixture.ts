import type { CodeExecutor, EnginePlugin, ExecutorKind, SessionEnv } from '@engineconn/core';
import { testCreationContext, testSessionEnv } from '@engineconn/core/testing';
import { createHarnessTask, type HarnessOptions, type HarnessTask } from './task-harness.js';

type TaskOptions = Omit<HarnessOptions, 'code'>;

/** One engine session and executor opened the way the runtime opens them, for an engine's own tests. */
export interface EngineFixture<S> {
  readonly session: S;
  readonly executor: CodeExecutor;
  /** A harness task of the fixture's run type, not started yet. */
  task(code: string, options?: TaskOptions): HarnessTask;
  /** Starts code and hands back the harness at once, with the promise that settles like `execute`. */
  start(code: string, options?: TaskOptions): { task: HarnessTask; done: Promise<void> };
  /** Runs code to its end; rejects like the executor does. */
  run(code: string, options?: TaskOptions): Promise<HarnessTask>;
  close(): Promise<void>;
}

export interface EngineFixtureInit {
  runType: string;
  executor?: ExecutorKind;
  options?: Record<string, string>;
  env?: Partial<SessionEnv>;
}

export async function openEngineFixture<S>(
  plugin: EnginePlugin<S>,
  init: EngineFixtureInit,
): Promise<EngineFixture<S>> {
  const ctx = testCreationContext({
    plugin,
    ...(init.executor ? { executor: init.executor } : {}),
    options: init.options ?? {},
  });
  const session = await plugin.createSession(ctx, testSessionEnv(init.env));
  const executor = await plugin.createExecutor(session, init.runType, ctx);
  const task = (code: string, options: TaskOptions = {}) =>
    createHarnessTask({ runType: init.runType, ...options, code });
  const start = (code: string, options: TaskOptions = {}) => {
    const harness = task(code, options);
    return { task: harness, done: executor.execute(harness.context) };
  };
  return {
    session,
    executor,
    task,
    start,
    async run(code, options) {
      const { task: harness, done } = start(code, options);
      await done;
      return harness;
    },
    close: () => plugin.closeSession(session),
  };
}
