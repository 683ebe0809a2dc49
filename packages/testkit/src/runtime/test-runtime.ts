import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Caller,
  type EngineConnHooks,
  EngineConnRuntime,
  type EnginePlugin,
  type SubmitRequest,
  type TaskView,
} from '@engineconn/core';
import { type TestContextInit, testCreationContext } from '@engineconn/core/testing';

export interface TestRuntimeOptions extends Omit<TestContextInit, 'plugin' | 'dataDir'> {
  // biome-ignore lint/suspicious/noExplicitAny: any engine's plugin, whatever its session type
  plugin: EnginePlugin<any>;
  hooks?: EngineConnHooks[];
}

/** A started EngineConn on a fresh data directory, for a test in the same process. */
export interface TestRuntime {
  readonly runtime: EngineConnRuntime;
  /** The user it runs for, as the caller of `submit`. */
  readonly owner: Caller;
  /** Submits `code` as the owner and returns its view (`view.finished` to await its end). */
  submit(code: string, request?: Omit<SubmitRequest, 'code'>): TaskView;
  /** Shuts the runtime down and removes its data directory; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an EngineConn on `plugin` with a test context (see testCreationContext) and a data
 * directory of its own, removed again by close(), as a failed start removes it too.
 */
export async function startTestRuntime(opts: TestRuntimeOptions): Promise<TestRuntime> {
  const { plugin, hooks, ...init } = opts;
  const dataDir = await mkdtemp(join(tmpdir(), `ec-test-${plugin.name}-`));
  const context = testCreationContext({ plugin, ...init, dataDir });
  const runtime = await EngineConnRuntime.create({ plugin, context, ...(hooks ? { hooks } : {}) }).catch(
    async (err: unknown) => {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    },
  );
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await runtime.shutdown('test over');
      await rm(dataDir, { recursive: true, force: true });
    })();
    return closing;
  };
  const owner: Caller = { user: context.user, admin: false };
  return {
    runtime,
    owner,
    submit: (code, request = {}) => runtime.submitTask({ ...request, code }, owner),
    close,
  };
}
