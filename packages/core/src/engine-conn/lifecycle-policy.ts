import type { EngineConnTask } from '../computation/engine-conn-task.js';
import type { ExecutorKind } from '../plugin/engine-plugin.js';

/**
 * What differs between an EngineConn that serves callers until it is stopped and one started for a
 * single job (Linkis' once executor): chosen once, when the runtime is created, so the runtime
 * itself has no executor-specific branches for its lifecycle.
 */
export interface LifecyclePolicy {
  readonly name: 'service' | 'once';
  /** The NodeStatus the EngineConn takes when it starts serving. */
  readonly servingStatus: 'Unlock' | 'Running';
  /**
   * Asked on every task start and end, with how to find the EngineConn's first task: the job whose
   * end ends the EngineConn, once that job has ended; undefined while it serves on. A function, so
   * a serving EngineConn never looks its first task up (a scan past every task evicted before it).
   */
  endedJob(first: () => EngineConnTask | undefined): EngineConnTask | undefined;
  /** How a shutdown ends the EngineConn, given every task it ran. */
  shutdownStatus(tasks: readonly EngineConnTask[]): 'Success' | 'Failed';
}

/** Serves any number of tasks until shut down; a shutdown is a success whatever the tasks did. */
export const SERVICE_POLICY: LifecyclePolicy = {
  name: 'service',
  servingStatus: 'Unlock',
  endedJob: () => undefined,
  shutdownStatus: () => 'Success',
};

/**
 * Linkis' once EngineConn: it serves in `Running` until its one job is submitted, ends as soon as
 * that job ends, with the job's outcome, and a shutdown while its job had not succeeded is a
 * failure (one before any job was submitted is not: nothing failed).
 */
export const ONCE_POLICY: LifecyclePolicy = {
  name: 'once',
  servingStatus: 'Running',
  endedJob: (first) => {
    const job = first();
    return job?.terminal ? job : undefined;
  },
  shutdownStatus: (tasks) => (tasks.some((t) => t.status !== 'Succeed') ? 'Failed' : 'Success'),
};

export function lifecyclePolicyFor(executor: ExecutorKind): LifecyclePolicy {
  return executor === 'once' ? ONCE_POLICY : SERVICE_POLICY;
}
