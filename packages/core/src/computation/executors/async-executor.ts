import { ConcurrentExecutor } from './concurrent-executor.js';

/**
 * Linkis' AsyncConcurrentComputationExecutor. On Node every engine call is already asynchronous, so
 * what sets this executor apart is that a running task holds no local worker (the engine submits
 * remote work and awaits its callback, as Trino's polling client does): limits are in the thousands.
 */
export class AsyncExecutor extends ConcurrentExecutor {
  override readonly kind = 'async' as const;
}
