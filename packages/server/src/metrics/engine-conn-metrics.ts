import type { Server } from 'node:net';
import {
  type EngineConnRuntime,
  HEALTH_STATES,
  type ManagerReporterStats,
  NODE_STATUSES,
  TERMINAL_TASK_STATUSES,
} from '@engineconn/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { BytesServed } from './bytes-served.js';

export interface EngineConnMetricsOptions {
  /** The manager reporter's counters, once a manager is attached (read at scrape time). */
  managerStats?: () => ManagerReporterStats | undefined;
}

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];
const QUEUE_WAIT_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 10, 30, 60, 300];

/**
 * The Prometheus metrics of one EngineConn, in a registry of its own (several EngineConns in one
 * process, as in tests, never collide). Task counters move inline on the sync bus with one
 * increment each, so the hot path pays next to nothing; everything that is a current state (load,
 * status, health, bytes on open sockets, manager failures) is read only when scraped.
 */
export class EngineConnMetrics {
  readonly registry = new Registry();
  readonly bytesServed = new BytesServed();
  readonly #unsubscribe: (() => void)[] = [];
  #closed = false;

  constructor(
    readonly runtime: EngineConnRuntime,
    opts: EngineConnMetricsOptions = {},
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    const tasks = new Counter({
      name: 'engineconn_tasks_total',
      help: 'Tasks that reached a terminal status, by status (Succeed, Failed, Cancelled, Timeout).',
      labelNames: ['status'],
      registers,
    });
    const submitted = new Counter({
      name: 'engineconn_tasks_submitted_total',
      help: 'Tasks accepted (running or queued); refused submissions are not counted.',
      registers,
    });
    const duration = new Histogram({
      name: 'engineconn_task_duration_seconds',
      help: 'Time from a task starting to run to its terminal status, by terminal status.',
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const queueWait = new Histogram({
      name: 'engineconn_task_queue_wait_seconds',
      help: 'Time a task waited between submission and starting to run (or being cancelled in the queue).',
      buckets: QUEUE_WAIT_BUCKETS,
      registers,
    });
    const logLines = new Counter({
      name: 'engineconn_task_log_lines_total',
      help: 'Task log lines written, all tasks.',
      registers,
    });
    const resultSets = new Counter({
      name: 'engineconn_result_sets_total',
      help: 'Result sets completed, by type (TABLE, TEXT, HTML, PICTURE).',
      labelNames: ['type'],
      registers,
    });
    const resultRows = new Counter({
      name: 'engineconn_result_rows_total',
      help: 'Rows written to TABLE result sets.',
      registers,
    });
    const resultBytes = new Counter({
      name: 'engineconn_result_bytes_total',
      help: 'Content bytes written to TEXT, HTML and PICTURE result sets.',
      registers,
    });

    // Children bound once, so an event costs a property read and an add, not a label lookup.
    const byStatus = Object.fromEntries(
      TERMINAL_TASK_STATUSES.map((s) => [s, { count: tasks.labels(s), duration: duration.labels(s) }]),
    );
    for (const status of TERMINAL_TASK_STATUSES) tasks.labels(status).inc(0);

    const bus = runtime.bus;
    this.#unsubscribe.push(
      bus.on('taskStatusChanged', (e) => {
        if (e.from === 'Inited' && e.to === 'Scheduled') submitted.inc();
      }),
      bus.on('executorCompleted', (e) => {
        const child = byStatus[e.status];
        child?.count.inc();
        child?.duration.observe(e.durationMs / 1000);
        queueWait.observe(e.queueWaitMs / 1000);
      }),
      bus.on('taskLog', (e) => logLines.inc(e.lines.length)),
      bus.on('taskResultSet', ({ resultSet }) => {
        resultSets.labels(resultSet.type).inc();
        if (resultSet.type === 'TABLE') resultRows.inc(resultSet.rowCount);
        else resultBytes.inc(resultSet.byteCount);
      }),
    );

    this.#registerStateGauges(registers);
    this.#registerScrapedCounters(registers, opts);
  }

  /** Counts bytes written on every connection of this HTTP server (see BytesServed). */
  trackServer(server: Server): () => void {
    return this.bytesServed.track(server);
  }

  /** The Prometheus text exposition. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to the runtime. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.bytesServed.close();
  }

  #registerStateGauges(registers: Registry[]): void {
    const runtime = this.runtime;
    const info = new Gauge({
      name: 'engineconn_info',
      help: 'Always 1; the labels describe this EngineConn.',
      labelNames: ['id', 'engine', 'engine_version', 'executor', 'owner'],
      registers,
    });
    info
      .labels(runtime.id, runtime.plugin.name, runtime.plugin.version, runtime.context.executor, runtime.context.user)
      .set(1);
    new Gauge({
      name: 'engineconn_tasks_running',
      help: 'Tasks running now.',
      registers,
      collect() {
        this.set(runtime.info().concurrency.running);
      },
    });
    new Gauge({
      name: 'engineconn_tasks_queued',
      help: 'Tasks waiting for a slot (status Scheduled) now.',
      registers,
      collect() {
        this.set(runtime.info().concurrency.queued);
      },
    });
    new Gauge({
      name: 'engineconn_concurrency_limit',
      help: 'Tasks the executor runs at once (1 for serial).',
      registers,
      collect() {
        this.set(runtime.info().concurrency.limit);
      },
    });
    new Gauge({
      name: 'engineconn_node_status',
      help: 'The EngineConn NodeStatus: 1 for the current status, 0 for the others.',
      labelNames: ['status'],
      registers,
      collect() {
        const current = runtime.status;
        for (const status of NODE_STATUSES) this.labels(status).set(status === current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'engineconn_health',
      help: 'The EngineConn health: 1 for the current one (Healthy, WARN, UnHealthy), 0 for the others.',
      labelNames: ['health'],
      registers,
      collect() {
        const current = runtime.health;
        for (const health of HEALTH_STATES) this.labels(health).set(health === current ? 1 : 0);
      },
    });
  }

  #registerScrapedCounters(registers: Registry[], opts: EngineConnMetricsOptions): void {
    const runtime = this.runtime;
    const bytes = this.bytesServed;
    new Counter({
      name: 'engineconn_http_bytes_written_total',
      help: 'Bytes written to HTTP clients: headers, bodies, SSE streams and WebSocket frames.',
      registers,
      collect() {
        this.inc(bytes.collect());
      },
    });
    deltaCounter(
      registers,
      'engineconn_manager_report_failures_total',
      'Failed attempts to deliver a report to the manager (each is retried).',
      () => opts.managerStats?.()?.failures ?? 0,
    );
    deltaCounter(
      registers,
      'engineconn_manager_reports_sent_total',
      'Reports the manager accepted, registrations included.',
      () => opts.managerStats?.()?.sent ?? 0,
    );
    deltaCounter(
      registers,
      'engineconn_async_events_dropped_total',
      'Events the async listener bus dropped because its queue was full (slow off-path listeners).',
      () => runtime.asyncBus.stats.dropped,
    );
  }
}

/** A counter mirroring a monotonic total kept elsewhere, brought up to date when scraped. */
function deltaCounter(registers: Registry[], name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers,
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}
