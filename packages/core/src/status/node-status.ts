import { StateMachine, type TransitionTable } from './state-machine.js';

/** The EngineConn's own status, as Linkis' NodeStatus (docs/architecture.md). */
export const NODE_STATUSES = [
  'Starting',
  'Unlock',
  'Locked',
  'Idle',
  'Busy',
  'Running',
  'ShuttingDown',
  'Failed',
  'Success',
] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

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

export function isNodeStatus(value: unknown): value is NodeStatus {
  return typeof value === 'string' && (NODE_STATUSES as readonly string[]).includes(value);
}
