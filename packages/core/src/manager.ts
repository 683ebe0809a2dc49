// `@engineconn/core/manager`: reporting to a manager (docs/manager.md), and the manager's wire schemas
// from @engineconn/protocol under their former names. A separate entry because the schemas load
// zod, which an EngineConn without a manager has no use for at start.

export {
  type AskAnswer,
  AskAnswerSchema,
  type AskRequest,
  type AskRequestInput,
  AskRequestSchema,
  ENGINE_STATUSES,
  type Engine,
  EngineSchema,
  type EngineStatus,
  type HeartbeatReport,
  heartbeatReportSchema,
  isManagerReportEvent,
  type JobRef,
  JobRefSchema,
  MANAGER_REPORT_EVENTS,
  MANAGER_REPORT_SCHEMAS,
  type ManagerReportEvent,
  type ManagerReports,
  managerReportPath,
  type RegisterReport,
  type ReleaseReport,
  registerReportSchema,
  releaseReportSchema,
  type StatusReport,
  statusReportSchema,
} from '@engineconn/protocol';
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
