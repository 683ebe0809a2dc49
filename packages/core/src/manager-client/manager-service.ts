import type { ErrorBody, HeartbeatReport, RegisterReport } from '@engineconn/protocol';
import type { NodeStatus } from '@engineconn/protocol/constants';
import { EngineConnError, isTerminalTaskStatus } from '@engineconn/protocol/constants';
import type { EngineConnRuntime } from '../engine-conn/engine-conn-runtime.js';
import type { EngineLogger } from '../plugin/engine-plugin.js';
import { setLongInterval } from '../util/long-timer.js';
import { ManagerReporter, type ManagerReporterOptions } from './manager-reporter.js';
import { UsageClock } from './usage-clock.js';

/** The part of the runtime the manager reports read; a structural type so tests can fake it. */
export type ManagedRuntime = Pick<
  EngineConnRuntime,
  'id' | 'context' | 'status' | 'info' | 'bus' | 'asyncBus' | 'exited' | 'shutdown'
>;

export interface AttachManagerOptions {
  /** The manager's base URL. */
  url: string;
  /** Default: `ec.heartbeatInterval` from the runtime's options, else 30 s; 0 sends none periodically. */
  heartbeatIntervalMs?: number;
  /**
   * Release the EngineConn once the manager has been unreachable this long (docs/manager.md). Default:
   * `ec.manager.orphanTimeout`, else 0 = never, so an EngineConn started by hand with `--manager`
   * never stops for an absent manager; a manager sets it on the EngineConns it launches.
   */
  orphanTimeoutMs?: number;
  /** The report secret the manager gave at launch; sent with every report. */
  secret?: string;
  /** How long the exit may wait to deliver the last reports (release). Default 5 s. */
  closeDeadlineMs?: number;
  logger?: EngineLogger;
  /** Retry and timeout tuning of the underlying reporter. */
  reporter?: Pick<ManagerReporterOptions, 'requestTimeoutMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'random'>;
}

export interface ManagerConnection {
  readonly reporter: ManagerReporter;
  /** Delivers what is pending (the release, once the runtime exited) within the deadline. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;

const iso = (ms: number = Date.now()): string => new Date(ms).toISOString();

/** The register report, read fresh from the runtime each time (re-registration included). */
export function registerReport(runtime: Pick<ManagedRuntime, 'info'>): RegisterReport {
  const info = runtime.info();
  return {
    id: info.id,
    url: info.url ?? null,
    pid: info.pid,
    engineType: info.engineType,
    engineVersion: info.engineVersion,
    executor: info.executor,
    labels: info.labels,
    user: info.owner,
    startedAt: info.startedAt,
  };
}

/**
 * Reports the EngineConn's life to a manager (Linkis' ManagerService + heartbeat service): register
 * now, a status report on every NodeStatus change, a heartbeat every interval and on every health
 * change, and at exit a last heartbeat and the release with the final status and reason.
 *
 * Call it once the runtime started and its server listens (the register report carries the URL),
 * before the URL is handed to anyone, so no transition is missed. Nothing here can block or stop the
 * EngineConn: reports only enqueue (see ManagerReporter).
 */
export function attachManager(runtime: ManagedRuntime, opts: AttachManagerOptions): ManagerConnection {
  const logger = opts.logger;
  const reporter = new ManagerReporter({
    ...opts.reporter,
    url: opts.url,
    id: runtime.id,
    register: () => registerReport(runtime),
    ...(logger ? { logger } : {}),
    ...(opts.secret ? { secret: opts.secret } : {}),
  });
  const intervalMs =
    opts.heartbeatIntervalMs ?? runtime.context.duration('ec.heartbeatInterval', DEFAULT_HEARTBEAT_INTERVAL_MS);
  const clock = new UsageClock(runtime.status);
  // The once job's error explains a Failed release; an interactive EngineConn outlives its tasks' errors.
  let onceError: ErrorBody | undefined;

  const unsubscribe = [
    runtime.bus.on('nodeStatusChanged', (e) => clock.nodeStatus(e.to, e.at)),
    runtime.bus.on('taskStatusChanged', (e) => {
      const ended = isTerminalTaskStatus(e.to);
      clock.task(e.taskId, !ended, e.at);
      if (ended && e.error && runtime.context.executor === 'once') onceError = e.error;
    }),
    runtime.asyncBus.on('nodeStatusChanged', (e) =>
      reporter.status({
        id: runtime.id,
        status: e.to,
        previous: e.from,
        at: iso(e.at),
        ...(e.reason ? { reason: e.reason } : {}),
      }),
    ),
    runtime.asyncBus.on('healthChanged', () => sendHeartbeat()),
  ];

  const heartbeat = (): HeartbeatReport => {
    const info = runtime.info();
    return {
      id: runtime.id,
      status: info.status,
      health: info.health,
      overload: info.overload,
      running: info.concurrency.running,
      queued: info.concurrency.queued,
      ...clock.snapshot(),
      labels: info.labels,
      at: iso(),
    };
  };
  const sendHeartbeat = (): void => {
    try {
      reporter.heartbeat(heartbeat());
    } catch (err) {
      logger?.error({ err }, 'could not build the heartbeat');
    }
  };

  reporter.register();
  // The manager has seen nothing yet: tell it where start-up landed (a runtime exists only once
  // started: Unlock, or Running for once).
  reporter.status({ id: runtime.id, status: runtime.status, previous: 'Starting', at: iso(), reason: 'started' });
  // 0 turns the periodic heartbeat off; health changes and the exit still send one.
  const timer = intervalMs > 0 ? setLongInterval(sendHeartbeat, intervalMs) : undefined;
  const orphanWatch = watchForOrphaning(runtime, reporter, orphanTimeoutOf(runtime, opts), logger);

  const exitReported = runtime.exited.then(async (exit) => {
    timer?.clear();
    clearInterval(orphanWatch);
    // Let the terminal status reports reach the reporter first, so the release is the last report.
    await runtime.asyncBus.idle();
    sendHeartbeat();
    const error = exit.status === 'Failed' ? onceError : undefined;
    reporter.release({
      id: runtime.id,
      status: exit.status,
      reason: exit.reason,
      ...(error ? { error } : {}),
      at: iso(),
    });
  });

  let closing: Promise<void> | null = null;
  return {
    reporter,
    close() {
      closing ??= (async () => {
        // Terminal before `exited` settles: wait for the release to be queued, whichever reaction runs first.
        if (runtime.status === 'Success' || runtime.status === 'Failed') await exitReported;
        timer?.clear();
        clearInterval(orphanWatch);
        for (const off of unsubscribe) off();
        await reporter.close(opts.closeDeadlineMs ?? 5000);
      })();
      return closing;
    },
  };
}

export const ORPHAN_TIMEOUT_OPTION = 'ec.manager.orphanTimeout';

function orphanTimeoutOf(runtime: ManagedRuntime, opts: AttachManagerOptions): number {
  return opts.orphanTimeoutMs ?? runtime.context.duration(ORPHAN_TIMEOUT_OPTION, 0);
}

/**
 * Shuts the EngineConn down once its reports have failed for `timeoutMs` in a row: the manager that
 * launched it is gone, and nobody else would ever release it (Linkis #4716, Kyuubi #4997). Running
 * tasks drain as in any shutdown.
 */
function watchForOrphaning(
  runtime: ManagedRuntime,
  reporter: ManagerReporter,
  timeoutMs: number,
  logger: EngineLogger | undefined,
): ReturnType<typeof setInterval> | undefined {
  if (timeoutMs <= 0) return undefined;
  const check = (): void => {
    const since = reporter.unreachableSince;
    if (since === null || Date.now() - since < timeoutMs) return;
    clearInterval(timer);
    const reason = `the manager has been unreachable for ${Math.round((Date.now() - since) / 1000)} s (orphan timeout)`;
    logger?.warn({ orphanTimeoutMs: timeoutMs }, reason);
    runtime.shutdown(reason).catch((err: unknown) => logger?.error({ err }, 'orphan shutdown failed'));
  };
  // A few checks per timeout keep the overshoot small without waking often for a 10-minute timeout.
  const timer = setInterval(check, Math.min(30_000, Math.max(100, Math.floor(timeoutMs / 4))));
  timer.unref();
  return timer;
}

export interface StartFailureReportOptions {
  url: string;
  /** The status the EngineConn failed from: Starting for a start-up failure, else the status before the server failed. */
  previous?: NodeStatus;
  deadlineMs?: number;
  logger?: EngineLogger;
  reporter?: AttachManagerOptions['reporter'];
  /** The last lines the EngineConn logged, sent with the release. */
  logTail?: string[];
  /** The report secret the manager gave at launch. */
  secret?: string;
}

/**
 * Tells the manager that the EngineConn failed to start: register (URL null if it never listened),
 * the Failed status and a release carrying the error; delivered within the deadline. The start
 * command calls it on its failure path, so a manager waiting for the EngineConn learns why it died.
 */
export async function reportStartFailure(
  runtime: Pick<ManagedRuntime, 'id' | 'info'>,
  error: unknown,
  opts: StartFailureReportOptions,
): Promise<void> {
  const reporter = new ManagerReporter({
    ...opts.reporter,
    url: opts.url,
    id: runtime.id,
    register: () => registerReport(runtime),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.secret ? { secret: opts.secret } : {}),
  });
  const cause = EngineConnError.from(error, 'EC_ENGINE_START_FAILED');
  const at = iso();
  const reason = `start-up failed: ${cause.message}`;
  reporter.register();
  reporter.status({ id: runtime.id, status: 'Failed', previous: opts.previous ?? 'Starting', at, reason });
  reporter.release({
    id: runtime.id,
    status: 'Failed',
    reason,
    error: cause.toJSON(),
    ...(opts.logTail ? { logTail: opts.logTail } : {}),
    at,
  });
  await reporter.close(opts.deadlineMs ?? 5000);
}
