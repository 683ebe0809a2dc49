import { EngineConnError } from '@engineconn/protocol/constants';
import type { EngineLogger } from '../plugin/engine-plugin.js';
import type { EngineConnHooks } from '../plugin/hooks.js';

type Stage = (hooks: EngineConnHooks) => void | Promise<void>;

/** Runs the EngineConnHook stages of every registered hook set, in registration order. */
export class HookRunner {
  constructor(
    private readonly hooks: readonly EngineConnHooks[],
    private readonly logger: EngineLogger,
  ) {}

  /** A start-up stage: the first failure fails the start-up with the stage named. */
  async run(stage: string, call: Stage): Promise<void> {
    for (const hooks of this.hooks) {
      try {
        await call(hooks);
      } catch (err) {
        throw new EngineConnError(
          'EC_ENGINE_START_FAILED',
          `The ${stage} hook failed: ${EngineConnError.from(err).message}`,
          {
            cause: err,
          },
        );
      }
    }
  }

  /** A failure or shutdown stage: failures are logged and never stop what follows. */
  async runLogged(stage: string, call: Stage): Promise<void> {
    for (const hooks of this.hooks) {
      try {
        await call(hooks);
      } catch (err) {
        this.logger.error({ err, stage }, 'hook failed');
      }
    }
  }
}
