import type { EngineConnTask } from '../computation/engine-conn-task.js';
import { SchedulingExecutor } from '../computation/executors/scheduling-executor.js';
import { BusyError } from '../errors/errors.js';

/**
 * Linkis' ManageableOnceExecutor: runs exactly one job, the one the EngineConn was started for; the
 * runtime then ends the EngineConn with the job's outcome.
 */
export class OnceExecutor extends SchedulingExecutor {
  readonly kind = 'once' as const;
  #accepted = false;

  constructor(onChange: () => void) {
    super(1, 0, onChange);
  }

  protected admit(_task: EngineConnTask): void {
    if (this.#accepted) throw new BusyError('This is a once EngineConn: it runs only the job it was started with.');
    this.#accepted = true;
  }
}
