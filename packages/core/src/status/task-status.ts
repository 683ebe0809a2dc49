import type { TaskStatus } from '@engineconn/protocol/constants';
import { StateMachine, type TransitionTable } from './state-machine.js';

const TASK_TRANSITIONS: TransitionTable<TaskStatus> = {
  Inited: ['Scheduled', 'Failed', 'Cancelled'],
  Scheduled: ['Running', 'Failed', 'Cancelled', 'Timeout'],
  Running: ['Succeed', 'Failed', 'Cancelled', 'Timeout'],
  Succeed: [],
  Failed: [],
  Cancelled: [],
  Timeout: [],
};

export function createTaskStatusMachine(): StateMachine<TaskStatus> {
  return new StateMachine<TaskStatus>('TaskStatus', 'Inited', TASK_TRANSITIONS);
}
