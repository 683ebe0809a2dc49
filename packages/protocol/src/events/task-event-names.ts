/** The per-task events pushed to callers over SSE and WebSocket (docs/api.md#task-events). */
export const TASK_EVENT_NAMES = ['status', 'progress', 'log', 'resultSet', 'done'] as const;
export type TaskEventName = (typeof TASK_EVENT_NAMES)[number];
