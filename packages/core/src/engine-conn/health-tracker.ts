import type { Health } from '@engineconn/protocol/constants';
import type { EngineLogger } from '../plugin/engine-plugin.js';
import { worstHealth } from '../status/health.js';
import { type LongTimer, setLongInterval } from '../util/long-timer.js';

export type HealthChange = (from: Health, to: Health, reason: string) => void;

/**
 * Linkis' NodeHealthyInfoManager: the EngineConn's health is a manager's override while one is set,
 * otherwise the worse of the engine's own probe and the overload signal (WARN). Every change is
 * reported once, with its reason.
 */
export class HealthTracker {
  #override: Health | null = null;
  #engine: Health = 'Healthy';
  #last: Health = 'Healthy';
  #timer: LongTimer | null = null;

  constructor(
    private readonly overloaded: () => boolean,
    private readonly onChange: HealthChange,
  ) {}

  get health(): Health {
    return this.#override ?? worstHealth(this.#engine, this.overloaded() ? 'WARN' : 'Healthy');
  }

  /** True while a manager has marked the EngineConn UnHealthy. */
  get markedUnhealthy(): boolean {
    return this.#override === 'UnHealthy';
  }

  /** A manager's override; `Healthy` clears it. */
  override(health: Health, reason: string): void {
    this.#override = health === 'Healthy' ? null : health;
    this.recheck(reason);
  }

  /** Publishes the health if it changed since the last report. */
  recheck(reason: string): void {
    const now = this.health;
    if (now === this.#last) return;
    const from = this.#last;
    this.#last = now;
    this.onChange(from, now, reason);
  }

  /** Polls the engine's own health check every `intervalMs`; a throwing check counts as UnHealthy. */
  watchEngine(check: () => Health | Promise<Health>, intervalMs: number, logger: EngineLogger): void {
    const probe = async () => {
      try {
        this.#engine = await check();
      } catch (err) {
        logger.warn({ err }, 'engine health check failed');
        this.#engine = 'UnHealthy';
      }
      this.recheck('engine health check');
    };
    this.#timer = setLongInterval(() => void probe(), intervalMs);
  }

  close(): void {
    this.#timer?.clear();
    this.#timer = null;
  }
}
