import type { EngineCreationContext } from '../context/engine-creation-context.js';

/** What a hook sees of the EngineConn once it exists. */
export interface EngineConnHandle {
  readonly id: string;
  readonly engineType: string;
  readonly session: unknown;
}

/**
 * Linkis' EngineConnHook stages, run in this order during start-up. A hook that throws fails the
 * start-up (except in `afterEngineServerStartFailed` and `beforeShutdown`, whose errors are only
 * logged).
 */
export interface EngineConnHooks {
  beforeCreateEngineConn?(ctx: EngineCreationContext): void | Promise<void>;
  beforeExecutionExecute?(ctx: EngineCreationContext, ec: EngineConnHandle): void | Promise<void>;
  afterExecutionExecute?(ctx: EngineCreationContext, ec: EngineConnHandle): void | Promise<void>;
  afterEngineServerStartSuccess?(ctx: EngineCreationContext, ec: EngineConnHandle): void | Promise<void>;
  afterEngineServerStartFailed?(ctx: EngineCreationContext, error: Error): void | Promise<void>;
  /**
   * Linkis' ShutdownHook: runs once when the EngineConn ends in an orderly way (shutdown, idle
   * release, once job done), after every task has stopped and before the session closes, so it may
   * still use the session. Errors are logged, never stop the shutdown.
   */
  beforeShutdown?(ctx: EngineCreationContext, ec: EngineConnHandle, reason: string): void | Promise<void>;
}

export const HOOK_STAGES = [
  'beforeCreateEngineConn',
  'beforeExecutionExecute',
  'afterExecutionExecute',
  'afterEngineServerStartSuccess',
  'afterEngineServerStartFailed',
  'beforeShutdown',
] as const satisfies readonly (keyof EngineConnHooks)[];
