// errors and statuses, as the protocol defines them

export type { ErrorBody, LockGrant } from '@engineconn/protocol';
export {
  EngineConnError,
  ERROR_CODES,
  type ErrorCode,
  errorCodeForStatus,
  HEALTH_STATES,
  type Health,
  isEngineConnError,
  isErrorCode,
  isHealth,
  isNodeStatus,
  isTerminalTaskStatus,
  NODE_STATUSES,
  type NodeStatus,
  statusOf,
  TASK_STATUSES,
  type TaskStatus,
  TERMINAL_TASK_STATUSES,
  type TerminalTaskStatus,
} from '@engineconn/protocol/constants';
// accessible
export {
  CALLER_TIMEOUT_OPTION,
  CallerWatchdog,
  type CallerWatchdogOptions,
  type WatchedRuntime,
} from './accessible/caller-watchdog.js';
// runtime
export { IdleMonitor } from './accessible/idle-monitor.js';
export { type HeldLock, LockService } from './accessible/lock-service.js';
export { OverloadMonitor, type OverloadThresholds } from './accessible/overload-monitor.js';
export { EngineConnTask } from './computation/engine-conn-task.js';
// computation
export { checkRequestLimits, REQUEST_LIMITS } from './computation/request-limits.js';
export {
  TaskAbortError,
  type TaskAbortKind,
  type TaskAbortReason,
  taskAbortReasonOf,
} from './computation/task-abort.js';
export { columnsJson, jsonString, taskInfoJsonHead } from './computation/task-info-json.js';
export {
  type Caller,
  type Column,
  type ProgressInfo,
  RESULT_SET_TYPES,
  type ResultSetMeta,
  type ResultSetType,
  type SubmitRequest,
  type TaskInfo,
} from './computation/task-types.js';
// plugin and context
export { EngineCreationContext, type EngineCreationContextInit } from './context/engine-creation-context.js';
export type { EngineConnInfo, OverloadInfo, RuntimeExit } from './engine-conn/engine-conn-info.js';
export { EngineConnRuntime } from './engine-conn/engine-conn-runtime.js';
export {
  type LifecyclePolicy,
  lifecyclePolicyFor,
  ONCE_POLICY,
  SERVICE_POLICY,
} from './engine-conn/lifecycle-policy.js';
export type { CreateRuntimeOptions, RuntimeOptions } from './engine-conn/runtime-options.js';
export { RUNTIME_OPTION_KEYS, type RuntimeSettings, readRuntimeSettings } from './engine-conn/runtime-settings.js';
export { startingInfo } from './engine-conn/starting-info.js';
export {
  pageOfTasks,
  TASK_PAGE_DEFAULT,
  TASK_PAGE_MAX,
  type TaskPage,
  type TaskPageQuery,
} from './engine-conn/task-pages.js';
export type { TaskView } from './engine-conn/task-view.js';
export {
  BadRequestError,
  BusyError,
  ConfigInvalidError,
  EngineError,
  IllegalTransitionError,
  LockInvalidError,
  ResultCorruptError,
  ShuttingDownError,
  TaskCancelledError,
  TaskNotFoundError,
} from './errors/errors.js';
// events
export { type AsyncBusStats, AsyncListenerBus } from './events/async-listener-bus.js';
export {
  type EngineConnEvents,
  TASK_EVENT_NAMES,
  type TaskEvent,
  type TaskEventData,
  type TaskEventName,
  type TaskEventOf,
} from './events/engine-conn-events.js';
export { type Listener, type ListenerErrorHandler, SyncListenerBus } from './events/listener-bus.js';
export { TaskEventJournal, type TaskEventJournalOptions } from './events/task-event-journal.js';
export { TaskLog, type TaskLogOptions, type TaskLogPage } from './logs/task-log.js';
// Manager reports (the reporter and their zod schemas) are the '@engineconn/core/manager' entry, manager.ts:
// an EngineConn loads it only when it has a manager.
export { type SqlStatement, splitSql } from './parsers/sql-parser.js';
export { prepareStatements, previewSql } from './parsers/sql-task.js';
export { defineEngine } from './plugin/define-engine.js';
export {
  type CodeExecutor,
  type EngineLogger,
  type EnginePlugin,
  EXECUTOR_KINDS,
  type ExecutorKind,
  type SessionEnv,
} from './plugin/engine-plugin.js';
export { type EngineConnHandle, type EngineConnHooks, HOOK_STAGES } from './plugin/hooks.js';
export { StatementExecutor } from './plugin/statement-executor.js';
export type { ResultSetSpec, ResultSetWriter, TaskContext } from './plugin/task-context.js';
export { keepEngineThreadsNiced, niceChild, nicedCommand, readEngineNice } from './process/engine-nice.js';
// child processes (for engines that run them)
export {
  type EscalateKillOptions,
  escalateKill,
  type KillOutcome,
  type KillStep,
} from './process/escalate-kill.js';
export { LineBuffer, MAX_LINE_CHARS } from './process/line-buffer.js';
export { probeVersion } from './process/probe-version.js';
export {
  groupAlive,
  groupMembers,
  killGroup,
  processesWithEnv,
  type StopOutcome,
  signalGroup,
  terminateGroup,
  terminatePids,
} from './process/process-group.js';
export { TABLE_FORMATS, type TableFormat } from './results/table-formats.js';
export {
  type RowsJsonPage,
  type RowsPage,
  TaskResults,
  type TaskResultsOptions,
  TEXT_PAGE_MAX_BYTES,
  type TextPage,
} from './results/task-results.js';
export { deriveNodeStatus, type NodeStatusInputs, SERVING_STATUSES } from './status/derive-node-status.js';
// status
export { worstHealth } from './status/health.js';
export { createNodeStatusMachine } from './status/node-status.js';
export { StateMachine, type TransitionListener, type TransitionTable } from './status/state-machine.js';
export { createTaskStatusMachine } from './status/task-status.js';
// util
export { type DurationOptions, formatDuration, MAX_DURATION_MS, parseDuration } from './util/duration.js';
export { type LongTimer, MAX_TIMER_MS, setLongInterval, setLongTimeout } from './util/long-timer.js';
// values in results (docs/api.md)
export {
  bytesCell,
  encodeRow,
  encodeValue,
  float32Cell,
  floatCell,
  integerCell,
  isoDateTime,
  isoOffset,
  isoOffsetText,
  isoTimeTz,
  isoYear,
  JSON_BYTES,
  JsonText,
  MapValue,
  rowCells,
  StructShape,
  StructValue,
  structOf,
} from './values/index.js';
