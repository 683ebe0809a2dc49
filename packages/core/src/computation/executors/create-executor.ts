import type { LockService } from '../../accessible/lock-service.js';
import { OnceExecutor } from '../../once/once-executor.js';
import type { ExecutorKind } from '../../plugin/engine-plugin.js';
import { AsyncExecutor } from './async-executor.js';
import { ConcurrentExecutor } from './concurrent-executor.js';
import type { SchedulingExecutor } from './scheduling-executor.js';
import { SerialExecutor } from './serial-executor.js';

export interface ExecutorLimits {
  concurrency: number;
  queueLimit: number;
}

/** The scheduling executor for `kind` (Linkis' ExecutorFactory for the computation executors). */
export function createExecutor(
  kind: ExecutorKind,
  limits: ExecutorLimits,
  locks: LockService,
  onChange: () => void,
): SchedulingExecutor {
  switch (kind) {
    case 'serial':
      return new SerialExecutor(locks, onChange);
    case 'concurrent':
      return new ConcurrentExecutor(limits.concurrency, limits.queueLimit, onChange);
    case 'async':
      return new AsyncExecutor(limits.concurrency, limits.queueLimit, onChange);
    case 'once':
      return new OnceExecutor(onChange);
  }
}
