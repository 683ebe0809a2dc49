import type { NodeStatus } from '@engineconn/protocol/constants';
import type { ExecutorKind } from '../plugin/engine-plugin.js';

/** The statuses a serving EngineConn moves between as its load, lock and health change. */
export const SERVING_STATUSES: readonly NodeStatus[] = ['Unlock', 'Locked', 'Idle', 'Busy', 'Running'];

/** Everything the NodeStatus of a serving EngineConn depends on. */
export interface NodeStatusInputs {
  readonly executor: ExecutorKind;
  readonly current: NodeStatus;
  /** Shutdown has begun: from here only the shutdown moves the status. */
  readonly stopping: boolean;
  readonly running: number;
  /** Every task slot is taken. */
  readonly full: boolean;
  readonly lockHeld: boolean;
  readonly overloaded: boolean;
  readonly unhealthy: boolean;
}

/**
 * The NodeStatus the inputs call for (docs/architecture.md): serial is Busy while a task runs, else Idle
 * while locked, else Unlock; concurrent and async are Busy while full, overloaded or UnHealthy,
 * else Unlock; once is Busy while its job runs and stays where it is otherwise. Outside serving
 * (starting, shutting down, ended) the status is left as it is.
 */
export function deriveNodeStatus(inputs: NodeStatusInputs): NodeStatus {
  const { current } = inputs;
  if (inputs.stopping || !SERVING_STATUSES.includes(current)) return current;
  switch (inputs.executor) {
    case 'once':
      return inputs.running > 0 ? 'Busy' : current;
    case 'serial':
      if (inputs.running > 0) return 'Busy';
      return inputs.lockHeld ? 'Idle' : 'Unlock';
    case 'concurrent':
    case 'async':
      return inputs.full || inputs.overloaded || inputs.unhealthy ? 'Busy' : 'Unlock';
  }
}
