import { IdleMonitor } from '../accessible/idle-monitor.js';
import { LockService } from '../accessible/lock-service.js';
import { OverloadMonitor } from '../accessible/overload-monitor.js';
import type { EngineLogger, EnginePlugin } from '../plugin/engine-plugin.js';
import { type HealthChange, HealthTracker } from './health-tracker.js';
import type { RuntimeSettings } from './runtime-settings.js';

/** What the monitors tell the runtime, and ask it. */
export interface MonitorEvents {
  /** The lock was taken, released or expired. */
  lockChanged(): void;
  /** The overload signal changed (health is rechecked by the monitors themselves). */
  overloadChanged(): void;
  healthChanged: HealthChange;
  /** Whether the EngineConn has nothing to do, for the idle release. */
  nothingToDo(): boolean;
  /** Nothing ran for the configured max free time. */
  idle(): void;
}

/**
 * The monitors that drive an EngineConn's NodeStatus and health besides its tasks (Linkis'
 * accessible executor): the caller's lock, the overload sampling, the health (a manager's
 * override, the engine's probe, overload) and the idle release. Built with the runtime, started
 * when it serves, closed together when it ends.
 */
export class RuntimeMonitors {
  readonly locks: LockService;
  readonly overload: OverloadMonitor;
  readonly health: HealthTracker;
  readonly idle: IdleMonitor;
  #lastActivityAt = Date.now();

  constructor(settings: RuntimeSettings, events: MonitorEvents) {
    this.locks = new LockService(settings.lockTimeoutMs, () => events.lockChanged());
    this.overload = new OverloadMonitor(settings.overload, () => {
      events.overloadChanged();
      this.health.recheck('overload');
    });
    this.health = new HealthTracker(() => this.overload.overloaded, events.healthChanged);
    this.idle = new IdleMonitor(
      settings.maxFreeTimeMs,
      () => events.nothingToDo(),
      () => events.idle(),
    );
  }

  /** When a caller last did something (a task ran, was read, a lock was taken), epoch ms. */
  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  /** A caller did something: the idle release counts from now. */
  touch(): void {
    this.#lastActivityAt = Date.now();
    this.idle.touch();
  }

  /** Serving begins: overload sampling, the engine's own health probe (if it has one), the idle clock. */
  start(plugin: EnginePlugin<unknown>, session: unknown, sampleIntervalMs: number, logger: EngineLogger): void {
    this.overload.start();
    const check = plugin.checkHealth;
    if (check) this.health.watchEngine(() => check.call(plugin, session), sampleIntervalMs, logger);
    this.touch();
  }

  close(): void {
    this.health.close();
    this.overload.close();
    this.idle.close();
    this.locks.close();
  }
}
