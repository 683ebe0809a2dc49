import { z } from 'zod';
import { ErrorBodySchema, ExecutorKindSchema, HealthSchema, NodeStatusSchema } from '../http/responses.js';

// The reports an EngineConn POSTs to `${manager}/api/v1/engineconns/${id}/${event}` (docs/manager.md). The
// EngineConn validates each one before sending and a manager validates it on receipt, with these same
// schemas, so the two ends cannot drift apart. Times are ISO-8601 strings; durations are milliseconds.

const nodeStatus = NodeStatusSchema;
const isoTime = z.iso.datetime();
const millis = z.number().int().nonnegative();
const labels = z.record(z.string(), z.string());

/** Sent first, and again whenever the manager may have forgotten the EngineConn (after it was unreachable). */
export const registerReportSchema = z.object({
  id: z.string().min(1),
  /** The EngineConn's HTTP base URL; null when it never got to listen (a start failure). */
  url: z.url().nullable(),
  pid: z.number().int().positive(),
  engineType: z.string().min(1),
  engineVersion: z.string(),
  executor: ExecutorKindSchema,
  labels,
  /** The EngineConn's owner. */
  user: z.string().min(1),
  startedAt: isoTime,
});
export type RegisterReport = z.infer<typeof registerReportSchema>;

/** One NodeStatus change. Reports are coalesced while undelivered, so `previous` is the status the
 *  EngineConn left, which is not necessarily the last status the manager saw. */
export const statusReportSchema = z.object({
  id: z.string().min(1),
  status: nodeStatus,
  previous: nodeStatus,
  at: isoTime,
  reason: z.string().optional(),
});
export type StatusReport = z.infer<typeof statusReportSchema>;

export const heartbeatReportSchema = z.object({
  id: z.string().min(1),
  status: nodeStatus,
  health: HealthSchema,
  overload: z.object({
    maxMemory: z.number().nonnegative(),
    usedMemory: z.number().nonnegative(),
    systemCpuUsed: z.number().min(0).max(1),
    systemLeftMemory: z.number().nonnegative(),
  }),
  running: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  /** Accumulated since the reports began: time with work in progress (or refusing work as Busy). */
  busyMs: millis,
  /** Time available with no work and no lock held (Unlock, and the once executor's Running). */
  idleMs: millis,
  /** Time with no work while a caller's lock was held (Idle, Locked). */
  lockedMs: millis,
  labels,
  at: isoTime,
});
export type HeartbeatReport = z.infer<typeof heartbeatReportSchema>;

export const releaseReportSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['Success', 'Failed']),
  /** Why it ended: idle release, shutdown, the once job's outcome, a start failure... */
  reason: z.string(),
  error: ErrorBodySchema.optional(),
  /** For a start-up failure: the last lines the EngineConn logged before it gave up. */
  logTail: z.array(z.string()).optional(),
  at: isoTime,
});
export type ReleaseReport = z.infer<typeof releaseReportSchema>;

export const MANAGER_REPORT_SCHEMAS = {
  register: registerReportSchema,
  status: statusReportSchema,
  heartbeat: heartbeatReportSchema,
  release: releaseReportSchema,
} as const;

export type ManagerReportEvent = keyof typeof MANAGER_REPORT_SCHEMAS;
export const MANAGER_REPORT_EVENTS = Object.keys(MANAGER_REPORT_SCHEMAS) as ManagerReportEvent[];

export type ManagerReports = { [K in ManagerReportEvent]: z.infer<(typeof MANAGER_REPORT_SCHEMAS)[K]> };

/** The path a report is POSTed to, relative to the manager's base URL. */
export function managerReportPath(id: string, event: ManagerReportEvent): string {
  return `/api/v1/engineconns/${encodeURIComponent(id)}/${event}`;
}

export function isManagerReportEvent(value: unknown): value is ManagerReportEvent {
  return typeof value === 'string' && Object.hasOwn(MANAGER_REPORT_SCHEMAS, value);
}
