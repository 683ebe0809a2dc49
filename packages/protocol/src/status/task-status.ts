/** A task's status, as Linkis' ExecutionNodeStatus (docs/architecture.md). */
export const TASK_STATUSES = ['Inited', 'Scheduled', 'Running', 'Succeed', 'Failed', 'Cancelled', 'Timeout'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_TASK_STATUSES = ['Succeed', 'Failed', 'Cancelled', 'Timeout'] as const;
export type TerminalTaskStatus = (typeof TERMINAL_TASK_STATUSES)[number];

export function isTerminalTaskStatus(status: TaskStatus): status is TerminalTaskStatus {
  return (TERMINAL_TASK_STATUSES as readonly string[]).includes(status);
}
