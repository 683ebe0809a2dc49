import type { NodeStatus } from '@engineconn/protocol/constants';
import { StateMachine, type TransitionTable } from './state-machine.js';

const NODE_TRANSITIONS: TransitionTable<NodeStatus> = {
  Starting: ['Unlock', 'Running', 'ShuttingDown', 'Failed'],
  Unlock: ['Idle', 'Locked', 'Busy', 'ShuttingDown', 'Failed'],
  Locked: ['Unlock', 'Idle', 'Busy', 'ShuttingDown', 'Failed'],
  Idle: ['Unlock', 'Busy', 'ShuttingDown', 'Failed'],
  Busy: ['Unlock', 'Idle', 'ShuttingDown', 'Success', 'Failed'],
  // Running is the once executor's "started, job not yet submitted" state.
  Running: ['Busy', 'ShuttingDown', 'Success', 'Failed'],
  ShuttingDown: ['Success', 'Failed'],
  Success: [],
  Failed: [],
};

export function createNodeStatusMachine(): StateMachine<NodeStatus> {
  return new StateMachine<NodeStatus>('NodeStatus', 'Starting', NODE_TRANSITIONS);
}
