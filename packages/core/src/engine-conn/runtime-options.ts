import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EngineLogger, EnginePlugin } from '../plugin/engine-plugin.js';
import type { EngineConnHooks } from '../plugin/hooks.js';
import type { HookRunner } from './hook-runner.js';
import type { RuntimeSettings } from './runtime-settings.js';

export interface RuntimeOptions {
  plugin: EnginePlugin<unknown>;
  context: EngineCreationContext;
  logger?: EngineLogger;
  /** Extra hooks (server-level), run after the plugin's own. */
  hooks?: EngineConnHooks[];
}

export interface CreateRuntimeOptions {
  /**
   * Abandons start-up when aborted (a shutdown or a signal while the engine starts): it reaches the
   * engine as `SessionEnv.signal`, and `create` then rejects with EC_ENGINE_START_FAILED. Once
   * `create` has resolved, stop the EngineConn with `shutdown()`.
   */
  signal?: AbortSignal;
}

/** What `create` has opened and checked before the runtime object exists. */
export interface OpenedParts {
  logger: EngineLogger;
  hooks: HookRunner;
  settings: RuntimeSettings;
  session: unknown;
}

export const silentLogger: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };
