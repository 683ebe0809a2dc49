/** The per-task events pushed to callers over SSE and WebSocket (DESIGN §6, contract). */
export const TASK_EVENT_NAMES = ['status', 'progress', 'log', 'resultSet', 'done'] as const;
export type TaskEventName = (typeof TASK_EVENT_NAMES)[number];
