// `@engineconn/core/manager`: reporting to a manager (docs/manager.md), and the manager's wire schemas
// from @engineconn/protocol under their former names. A separate entry because the schemas load
// zod, which an EngineConn without a manager has no use for at start.

export {
  type AskAnswer,
  type AskRequest,
  type AskRequestInput,
  ENGINE_STATUSES,
  type Engine,
  type EngineStatus,
  type HeartbeatReport,
  type JobRef,
  type ManagerReportEvent,
  type ManagerReports,
  type RegisterReport,
  type ReleaseReport,
  type StatusReport,
} from '@engineconn/protocol';
export {
  AskAnswerSchema,
  AskRequestSchema,
  EngineSchema,
  heartbeatReportSchema,
  isManagerReportEvent,
  JobRefSchema,
  MANAGER_REPORT_EVENTS,
  MANAGER_REPORT_SCHEMAS,
  managerReportPath,
  registerReportSchema,
  releaseReportSchema,
  statusReportSchema,
} from '@engineconn/protocol/manager';
export {
  ManagerReporter,
  type ManagerReporterOptions,
  type ManagerReporterStats,
  zeroReporterStats,
} from './manager-client/manager-reporter.js';
export {
  type AttachManagerOptions,
  attachManager,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type ManagedRuntime,
  type ManagerConnection,
  ORPHAN_TIMEOUT_OPTION,
  registerReport,
  reportStartFailure,
  type StartFailureReportOptions,
} from './manager-client/manager-service.js';
export { parseManagerReport } from './manager-client/parse-report.js';
export { UsageClock, type UsageTotals } from './manager-client/usage-clock.js';
