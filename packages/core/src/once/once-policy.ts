import type { LifecyclePolicy } from '../engine-conn/lifecycle-policy.js';

/**
 * Linkis' once EngineConn: it serves in `Running` until its one job is submitted, ends as soon as
 * that job ends, with the job's outcome, and a shutdown before the job succeeded is a failure.
 */
export const ONCE_POLICY: LifecyclePolicy = {
  name: 'once',
  servingStatus: 'Running',
  endedJob: (job) => (job?.terminal ? job : undefined),
  shutdownStatus: (tasks) => (tasks.some((t) => t.status !== 'Succeed') ? 'Failed' : 'Success'),
};
