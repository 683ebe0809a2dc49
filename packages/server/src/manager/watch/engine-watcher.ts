import { rm } from 'node:fs/promises';
import { type LongTimer, setLongInterval } from '@engineconn/core';
import type { Logger } from 'pino';
import type { ProcessExit } from '../launcher/engine-launcher.js';
import { probeEngine } from '../launcher/engine-probe.js';
import type { PendingLaunches } from '../launcher/pending-launches.js';
import { isAlive, isOurEngine, killEngineGroup } from '../launcher/process-control.js';
import { LOST_RETENTION_MS, type ManagerSettings, MISSED_HEARTBEATS } from '../manager-settings.js';
import { type EngineRecord, isTerminalEngineStatus } from '../registry/engine-record.js';
import type { EngineRegistry } from '../registry/engine-registry.js';

/** How long an engine may take to answer the manager's direct question (a loaded machine is slow). */
const PROBE_TIMEOUT_MS = 10_000;

interface Grave {
  pid: number;
  dataDir: string;
}

/**
 * Watches every engine (Linkis' AM heartbeat monitor): one whose process is gone, or that has been
 * silent for three heartbeat intervals, is Lost — killed if still there, never handed out again —
 * and an engine that leaves (released, stopped, lost) has its directory removed once its process
 * is gone. After a manager restart it re-adopts the engines still alive and buries the others.
 */
export class EngineWatcher {
  readonly #graves: Grave[] = [];
  /** Silent engines being asked whether they are still there. */
  readonly #probing = new Set<string>();
  #timer: LongTimer | undefined;

  constructor(
    private readonly settings: ManagerSettings,
    private readonly registry: EngineRegistry,
    private readonly logger: Logger,
    private readonly pending: PendingLaunches,
  ) {}

  start(): void {
    // Twice per interval, so Lost is called within the third missed heartbeat's interval.
    this.#timer = setLongInterval(
      () => void this.tick(),
      Math.max(50, Math.floor(this.settings.heartbeatIntervalMs / 2)),
    );
  }

  close(): void {
    this.#timer?.clear();
  }

  /** An engine this manager launched: its exit is seen at once, not at the next check. */
  follow(id: string, exited: Promise<ProcessExit>): void {
    void exited.then((exit) => {
      const record = this.registry.find(id);
      if (!record) return;
      if (isTerminalEngineStatus(record.status)) return;
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.markLost(record, `its process ${how} without releasing itself`);
    });
  }

  async tick(): Promise<void> {
    const now = Date.now();
    const silence = MISSED_HEARTBEATS * this.settings.heartbeatIntervalMs;
    for (const record of this.registry.all()) {
      if (isTerminalEngineStatus(record.status)) {
        if (record.status === 'Lost' && now - record.lastSeenMs > LOST_RETENTION_MS) this.registry.remove(record.id);
        continue;
      }
      if (!isOurEngine(record.pid, record.dataDir)) this.markLost(record, 'its process is gone');
      else if (now - record.lastSeenMs > silence) this.#checkSilent(record, silence);
    }
    await this.reap();
  }

  /**
   * An engine silent for three heartbeat intervals whose process is still there is asked directly
   * before it is called Lost: after a manager restart its reporter may still be backing off (up to
   * 30 s between attempts), and an engine that answers is alive. One that does not answer is Lost.
   */
  #checkSilent(record: EngineRecord, silence: number): void {
    if (this.#probing.has(record.id)) return;
    this.#probing.add(record.id);
    void probeEngine(record, PROBE_TIMEOUT_MS)
      .then((info) => {
        const current = this.registry.find(record.id);
        if (!current || isTerminalEngineStatus(current.status)) return;
        if (info) this.registry.update(record.id, { ...info, lastSeenMs: Date.now() });
        else
          this.markLost(
            current,
            `it missed ${MISSED_HEARTBEATS} heartbeats (${silence} ms without a report) and does not answer`,
          );
      })
      .finally(() => this.#probing.delete(record.id));
  }

  markLost(record: EngineRecord, reason: string): void {
    this.logger.warn({ engine: record.id, user: record.user, pid: record.pid, reason }, 'engine lost');
    this.registry.update(record.id, { status: 'Lost', lostReason: reason });
    if (isOurEngine(record.pid, record.dataDir)) killEngineGroup(record.pid);
    this.#graves.push({ pid: record.pid, dataDir: record.dataDir });
  }

  /** Removes an engine that left: killed if its process remains, its directory once that is gone. */
  bury(record: EngineRecord): void {
    if (isOurEngine(record.pid, record.dataDir)) killEngineGroup(record.pid);
    this.registry.remove(record.id);
    this.#graves.push({ pid: record.pid, dataDir: record.dataDir });
  }

  /** An engine that released itself: forgotten now, its directory removed once it has exited. */
  released(record: EngineRecord): void {
    this.registry.remove(record.id);
    this.#graves.push({ pid: record.pid, dataDir: record.dataDir });
  }

  /** Resolves once the engine's process is gone, or after `graceMs`. */
  async waitGone(record: EngineRecord, graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (isOurEngine(record.pid, record.dataDir) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async reap(): Promise<void> {
    // A launch still settling owns its directory: it reads the engine's log from there, then removes it.
    const launching = new Set(this.pending.all().map((p) => p.launched.dataDir));
    for (let i = this.#graves.length - 1; i >= 0; i--) {
      const grave = this.#graves[i] as Grave;
      if (launching.has(grave.dataDir) || (isAlive(grave.pid) && isOurEngine(grave.pid, grave.dataDir))) continue;
      this.#graves.splice(i, 1);
      await rm(grave.dataDir, { recursive: true, force: true }).catch(() => {});
    }
  }

  /**
   * After a restart: every engine the registry lists that is still its own process and answers
   * with its id is adopted, with its current status; the others are Lost.
   */
  async adopt(): Promise<void> {
    await Promise.all(
      this.registry.all().map(async (record) => {
        if (isTerminalEngineStatus(record.status)) {
          this.#graves.push({ pid: record.pid, dataDir: record.dataDir });
          return;
        }
        if (!isOurEngine(record.pid, record.dataDir)) {
          this.markLost(record, 'its process ended while the manager was down');
          return;
        }
        const info = await probeEngine(record, PROBE_TIMEOUT_MS);
        if (!info) {
          this.markLost(record, 'it did not answer when the manager restarted');
          return;
        }
        this.registry.update(record.id, { ...info, lastSeenMs: Date.now() });
        this.logger.info({ engine: record.id, user: record.user, status: info.status }, 'engine re-adopted');
      }),
    );
  }
}
