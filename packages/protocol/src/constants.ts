// `@engineconn/protocol/constants`: the registries of the contract without its zod schemas, for
// code that must not load zod to start (core's runtime, the client SDK): error codes and the error
// class, status tuples, event names, limits and WebSocket close codes. Types come from the main
// entry with `import type`, which costs nothing at run time.

export { EngineConnError, isEngineConnError } from './errors/engine-conn-error.js';
export { ERROR_CODES, type ErrorCode, errorCodeForStatus, isErrorCode, statusOf } from './errors/error-codes.js';
export { TASK_EVENT_NAMES, type TaskEventName } from './events/task-event-names.js';
export {
  MAX_PAGE_LIMIT,
  MAX_SUBMIT_WAIT_MS,
  RESULT_FORMATS,
  RESULT_SET_TYPES,
  type ResultFormat,
  type ResultSetType,
  TASK_PAGE_DEFAULT,
  TASK_PAGE_MAX,
  TEXT_PAGE_MAX_BYTES,
} from './http/limits.js';
export {
  EXECUTOR_KINDS,
  type ExecutorKind,
  LAUNCHABLE_EXECUTOR_KINDS,
  type LaunchableExecutorKind,
} from './status/executor-kind.js';
export { HEALTH_STATES, type Health, isHealth } from './status/health.js';
export {
  ENGINE_STATUSES,
  type EngineStatus,
  isNodeStatus,
  NODE_STATUSES,
  type NodeStatus,
} from './status/node-status.js';
export {
  isTerminalTaskStatus,
  TASK_STATUSES,
  type TaskStatus,
  TERMINAL_TASK_STATUSES,
  type TerminalTaskStatus,
} from './status/task-status.js';
export { WS_CLOSE_CODES, type WsCloseCode } from './ws/close-codes.js';
