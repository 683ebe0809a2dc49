import { ENGINE_STATUSES } from '@engineconn/core/manager';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ManagerMetricsSink } from '../engine-manager.js';
import type { EngineRegistry } from '../registry/engine-registry.js';

/** The manager's Prometheus metrics, in a registry of its own: engines by status, asks by outcome. */
export class ManagerMetrics implements ManagerMetricsSink {
  readonly registry = new Registry();
  readonly #asks: Counter<'outcome'>;
  readonly #askSeconds: Histogram<'outcome'>;

  constructor(engines: EngineRegistry) {
    new Gauge({
      name: 'engineconn_manager_engines',
      help: 'Engines the manager knows, by status.',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        const counts = engines.statusCounts();
        for (const status of ENGINE_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      },
    });
    this.#asks = new Counter({
      name: 'engineconn_manager_asks_total',
      help: 'Asks answered, by outcome: reused, launched, failed (start failed or timed out), limited.',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.#askSeconds = new Histogram({
      name: 'engineconn_manager_ask_seconds',
      help: 'Time from ask to answer, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
  }

  ask(outcome: 'reused' | 'launched' | 'failed' | 'limited', seconds: number): void {
    this.#asks.inc({ outcome });
    this.#askSeconds.observe({ outcome }, seconds);
  }
}
