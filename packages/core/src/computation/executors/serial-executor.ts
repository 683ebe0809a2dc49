import type { LockService } from '../../accessible/lock-service.js';
import { BusyError, LockInvalidError } from '../../errors/errors.js';
import type { EngineConnTask } from '../engine-conn-task.js';
import { SchedulingExecutor } from './scheduling-executor.js';

/**
 * Linkis' ComputationExecutor: one task at a time, no queue. While a caller holds the EngineConn's
 * lock, only tasks carrying that lock are accepted, so two callers never interleave on one session.
 */
export class SerialExecutor extends SchedulingExecutor {
  readonly kind = 'serial' as const;

  constructor(
    private readonly locks: LockService,
    onChange: () => void,
  ) {
    super(1, 0, onChange);
  }

  protected admit(task: EngineConnTask): void {
    const held = this.locks.held;
    if (held && task.lock !== held.lock) {
      throw new LockInvalidError(
        task.lock
          ? `Lock '${task.lock}' is not the lock held on this EngineConn; it expired or belongs to another caller.`
          : 'This EngineConn is locked by another caller; submit with their lock or wait for it to be released.',
      );
    }
    if (!held && task.lock) {
      throw new LockInvalidError(`Lock '${task.lock}' is not held: it expired or was released. Take a new lock.`);
    }
    if (this.full) {
      throw new BusyError('The EngineConn is running another task (serial executor); retry when it finishes.');
    }
  }
}
