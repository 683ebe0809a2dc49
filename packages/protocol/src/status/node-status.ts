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

export function isNodeStatus(value: unknown): value is NodeStatus {
  return typeof value === 'string' && (NODE_STATUSES as readonly string[]).includes(value);
}

/** An engine's status as the manager sees it: the EC's NodeStatus, or Lost once it is gone or silent. */
export const ENGINE_STATUSES = [...NODE_STATUSES, 'Lost'] as const;
export type EngineStatus = (typeof ENGINE_STATUSES)[number];
