import type { EngineCreationContext } from '../context/engine-creation-context.js';

/** What a hook sees of the EngineConn once it exists. */
export interface EngineConnHandle {
  readonly id: string;
  readonly engineType: string;
  readonly session: unknown;
}

/**
 * Linkis' EngineConnHook stages, run in this order during start-up. A hook that throws fails the
 * start-up (except in `afterEngineServerStartFailed`, whose errors are only logged).
 */
export interface EngineConnHooks {
  beforeCreateEngineConn?(ctx: EngineCreationContext): void | Promise<void>;
  beforeExecutionExecute?(ctx: EngineCreationContext, ec: EngineConnHandle): void | Promise<void>;
  afterExecutionExecute?(ctx: EngineCreationContext, ec: EngineConnHandle): void | Promise<void>;
  afterEngineServerStartSuccess?(ctx: EngineCreationContext, ec: EngineConnHandle): void | Promise<void>;
  afterEngineServerStartFailed?(ctx: EngineCreationContext, error: Error): void | Promise<void>;
}

export const HOOK_STAGES = [
  'beforeCreateEngineConn',
  'beforeExecutionExecute',
  'afterExecutionExecute',
  'afterEngineServerStartSuccess',
  'afterEngineServerStartFailed',
] as const satisfies readonly (keyof EngineConnHooks)[];
