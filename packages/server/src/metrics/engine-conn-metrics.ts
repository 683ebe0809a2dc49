import type { Server } from 'node:net';
import {
  type EngineConnRuntime,
  HEALTH_STATES,
  NODE_STATUSES,
  RESULT_SET_TYPES,
  TERMINAL_TASK_STATUSES,
} from '@engineconn/core';
import type { ManagerReporterStats } from '@engineconn/core/manager';
import type { Metric, Registry } from 'prom-client';
import { BytesServed } from './bytes-served.js';
import { type Buckets, TaskStats } from './task-stats.js';

type PromClient = typeof import('prom-client');

export interface EngineConnMetricsOptions {
  /** The manager reporter's counters, once a manager is attached (read at scrape time). */
  managerStats?: () => ManagerReporterStats | undefined;
}

/**
 * The Prometheus metrics of one EngineConn, in a registry of its own (several EngineConns in one
 * process, as in tests, never collide). Task figures are counted from the start on the sync bus
 * as plain numbers (TaskStats); prom-client is loaded, and the registry with the default process
 * metrics built, at the first scrape, so neither the time to ready nor a task pays for it. What
 * is a current state (load, status, health, bytes on open sockets, manager failures) is read when
 * scraped.
 */
export class EngineConnMetrics {
  readonly stats: TaskStats;
  readonly bytesServed = new BytesServed();
  readonly #opts: EngineConnMetricsOptions;
  #registry: Promise<Registry> | null = null;

  constructor(
    readonly runtime: EngineConnRuntime,
    opts: EngineConnMetricsOptions = {},
  ) {
    this.#opts = opts;
    this.stats = new TaskStats(runtime.bus);
  }

  /** Counts bytes written on every connection of this HTTP server (see BytesServed). */
  trackServer(server: Server): () => void {
    return this.bytesServed.track(server);
  }

  /** The Prometheus text exposition and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    this.#registry ??= this.#build();
    const registry = await this.#registry;
    return { text: await registry.metrics(), contentType: registry.contentType };
  }

  /** Stops counting. Idempotent. */
  close(): void {
    this.stats.close();
    this.bytesServed.close();
  }

  async #build(): Promise<Registry> {
    const prom: PromClient = await import('prom-client');
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    this.#registerTaskMetrics(prom, registry);
    this.#registerStateGauges(prom, registry);
    this.#registerScrapedCounters(prom, registry);
    return registry;
  }

  #registerTaskMetrics(prom: PromClient, registry: Registry): void {
    const stats = this.stats;
    const registers = [registry];
    new prom.Counter({
      name: 'engineconn_tasks_total',
      help: 'Tasks that reached a terminal status, by status (Succeed, Failed, Cancelled, Timeout).',
      labelNames: ['status'],
      registers,
      collect: mirror(TERMINAL_TASK_STATUSES, (status) => stats.finished[status]),
    });
    new prom.Counter({
      name: 'engineconn_tasks_submitted_total',
      help: 'Tasks accepted (running or queued); refused submissions are not counted.',
      registers,
      collect: mirror([''], () => stats.submitted),
    });
    registry.registerMetric(
      bucketsMetric(
        'engineconn_task_duration_seconds',
        'Time from a task starting to run to its terminal status, by terminal status.',
        () => TERMINAL_TASK_STATUSES.map((status) => ({ labels: { status }, buckets: stats.duration[status] })),
      ),
    );
    registry.registerMetric(
      bucketsMetric(
        'engineconn_task_queue_wait_seconds',
        'Time a task waited between submission and starting to run (or being cancelled in the queue).',
        () => [{ labels: {}, buckets: stats.queueWait }],
      ),
    );
    new prom.Counter({
      name: 'engineconn_task_log_lines_total',
      help: 'Task log lines written, all tasks.',
      registers,
      collect: mirror([''], () => stats.logLines),
    });
    new prom.Counter({
      name: 'engineconn_result_sets_total',
      help: 'Result sets completed, by type (TABLE, TEXT, HTML, PICTURE).',
      labelNames: ['type'],
      registers,
      collect: mirror(RESULT_SET_TYPES, (type) => stats.resultSets[type]),
    });
    new prom.Counter({
      name: 'engineconn_result_rows_total',
      help: 'Rows written to TABLE result sets.',
      registers,
      collect: mirror([''], () => stats.resultRows),
    });
    new prom.Counter({
      name: 'engineconn_result_bytes_total',
      help: 'Content bytes written to TEXT, HTML and PICTURE result sets.',
      registers,
      collect: mirror([''], () => stats.resultBytes),
    });
  }

  #registerStateGauges(prom: PromClient, registry: Registry): void {
    const runtime = this.runtime;
    const registers = [registry];
    new prom.Gauge({
      name: 'engineconn_info',
      help: 'Always 1; the labels describe this EngineConn.',
      labelNames: ['id', 'engine', 'engine_version', 'executor', 'owner'],
      registers,
    })
      .labels(runtime.id, runtime.plugin.name, runtime.plugin.version, runtime.context.executor, runtime.context.user)
      .set(1);
    const gauge = (name: string, help: string, read: () => number) =>
      new prom.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('engineconn_tasks_running', 'Tasks running now.', () => runtime.info().concurrency.running);
    gauge('engineconn_tasks_queued', 'Tasks waiting for a slot (status Scheduled) now.', () => {
      return runtime.info().concurrency.queued;
    });
    gauge('engineconn_concurrency_limit', 'Tasks the executor runs at once (1 for serial).', () => {
      return runtime.info().concurrency.limit;
    });
    // Read over the retained tasks at scrape time, so no request pays for counting: what a caller
    // that left would still hold open here (a page's wait, an event stream) shows as a count that
    // does not come down.
    gauge('engineconn_result_waits', 'Reads waiting now for a result set to be opened or to grow.', () => {
      let count = 0;
      for (const task of runtime.allTasks()) count += task.results.waiting;
      return count;
    });
    gauge('engineconn_event_followers', "Readers following a task's events now (SSE streams, WebSocket).", () => {
      let count = 0;
      for (const task of runtime.allTasks()) count += task.journal.followers;
      return count;
    });
    new prom.Gauge({
      name: 'engineconn_node_status',
      help: 'The EngineConn NodeStatus: 1 for the current status, 0 for the others.',
      labelNames: ['status'],
      registers,
      collect() {
        const current = runtime.status;
        for (const status of NODE_STATUSES) this.labels(status).set(status === current ? 1 : 0);
      },
    });
    new prom.Gauge({
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

  #registerScrapedCounters(prom: PromClient, registry: Registry): void {
    const runtime = this.runtime;
    const bytes = this.bytesServed;
    const managerStats = this.#opts.managerStats;
    const registers = [registry];
    let written = 0;
    const counter = (name: string, help: string, read: () => number) =>
      new prom.Counter({ name, help, registers, collect: mirror([''], read) });
    counter(
      'engineconn_http_bytes_written_total',
      'Bytes written to HTTP clients: headers, bodies, SSE streams and WebSocket frames.',
      () => {
        written += bytes.collect();
        return written;
      },
    );
    counter(
      'engineconn_manager_report_failures_total',
      'Failed attempts to deliver a report to the manager (each is retried).',
      () => managerStats?.()?.failures ?? 0,
    );
    counter(
      'engineconn_manager_reports_sent_total',
      'Reports the manager accepted, registrations included.',
      () => managerStats?.()?.sent ?? 0,
    );
    counter(
      'engineconn_async_events_dropped_total',
      'Events the async listener bus dropped because its queue was full (slow off-path listeners).',
      () => runtime.asyncBus.stats.dropped,
    );
  }
}

type CounterLike = { inc(labels: Record<string, string>, value: number): void; inc(value: number): void };

/**
 * A counter's collect(): brings it up to the monotonic totals kept elsewhere, one per label value
 * (`['']` for an unlabelled counter), by adding what they grew since the last scrape.
 */
function mirror<K extends string>(keys: readonly K[], read: (key: K) => number): (this: CounterLike) => void {
  const seen = new Map<K, number>();
  return function (this: CounterLike) {
    for (const key of keys) {
      const now = read(key);
      const delta = now - (seen.get(key) ?? 0);
      if (delta < 0) continue;
      seen.set(key, now);
      const label = (this as unknown as { labelNames?: string[] }).labelNames?.[0];
      if (label) this.inc({ [label]: key }, delta);
      else this.inc(delta);
    }
  };
}

/** A histogram metric read from Buckets kept elsewhere, in prom-client's collector format. */
function bucketsMetric(
  name: string,
  help: string,
  series: () => { labels: Record<string, string>; buckets: Buckets }[],
): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values = series().flatMap(({ labels, buckets }) => {
        let cumulative = 0;
        const out = buckets.bounds.map((le, i) => {
          cumulative += buckets.counts[i] as number;
          return { metricName: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: cumulative };
        });
        out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: buckets.count });
        return [
          ...out,
          { metricName: `${name}_sum`, labels, value: buckets.sum },
          { metricName: `${name}_count`, labels, value: buckets.count },
        ];
      });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  return metric as unknown as Metric;
}
