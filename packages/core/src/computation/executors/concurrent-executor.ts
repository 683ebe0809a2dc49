import type { EngineConnTask } from '../engine-conn-task.js';
import { SchedulingExecutor } from './scheduling-executor.js';

/**
 * Linkis' ConcurrentComputationExecutor: up to `limit` tasks at once, each holding a worker resource
 * of the engine (a DuckDB connection, a pool client, a child process). Locks are accepted and ignored.
 */
export class ConcurrentExecutor extends SchedulingExecutor {
  readonly kind: 'concurrent' | 'async' = 'concurrent';

  protected admit(_task: EngineConnTask): void {}
}
