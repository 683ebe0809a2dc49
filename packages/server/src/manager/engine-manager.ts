import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Caller, EngineConnError } from '@engineconn/core';
import type { AskRequest } from '@engineconn/core/manager';
import type { Logger } from 'pino';
import { ENGINE_NAMES } from '../engines/registry.js';
import { type LaunchSpec, launchEngine } from './launcher/engine-launcher.js';
import { probeEngine } from './launcher/engine-probe.js';
import { lookupOsUser, type OsUser, runningAsRoot } from './launcher/os-users.js';
import { PendingLaunches } from './launcher/pending-launches.js';
import { killEngineGroup } from './launcher/process-control.js';
import { awaitReady } from './launcher/ready-wait.js';
import { LimitReachedError } from './manager-errors.js';
import type { ManagerSettings } from './manager-settings.js';
import { canAdmit, type EngineRecord, isTerminalEngineStatus, load } from './registry/engine-record.js';
import type { EngineRegistry } from './registry/engine-registry.js';
import { EngineWatcher } from './watch/engine-watcher.js';

export interface AskOutcome {
  record: EngineRecord;
  reused: boolean;
}

export interface ManagerMetricsSink {
  ask(outcome: 'reused' | 'launched' | 'failed' | 'limited', seconds: number): void;
}

const sorted = (record: Record<string, string> | undefined): [string, string][] =>
  Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** What makes two asks interchangeable: engines are reused only for the same key. */
export function askKeyOf(req: Pick<AskRequest, 'engineType' | 'executor' | 'labels' | 'conf'>): string {
  return JSON.stringify([req.engineType, req.executor ?? null, sorted(req.labels), sorted(req.conf)]);
}

/**
 * LinkisManager and the EngineConnManager in one: answers asks by reusing a live engine of the
 * caller or launching one (one launch per user and key however many ask at once), enforces the
 * limits, stops engines, and at shutdown stops them all unless told to keep them.
 */
export class EngineManager {
  readonly pending = new PendingLaunches();
  readonly watcher: EngineWatcher;
  readonly #flights = new Map<string, Promise<EngineRecord>>();
  readonly #stops = new Set<Promise<void>>();
  #closing: Promise<void> | null = null;

  constructor(
    readonly settings: ManagerSettings,
    readonly registry: EngineRegistry,
    private readonly managerUrl: () => string,
    private readonly logger: Logger,
    private readonly metrics: ManagerMetricsSink,
  ) {
    this.watcher = new EngineWatcher(settings, registry, logger, this.pending);
  }

  get enginesDir(): string {
    return join(this.settings.dataDir, 'engines');
  }

  /** Re-adopts the engines of an earlier run and starts watching. */
  async start(): Promise<void> {
    await this.watcher.adopt();
    this.watcher.start();
  }

  async ask(caller: Caller, req: AskRequest): Promise<AskOutcome> {
    const began = performance.now();
    const seconds = () => (performance.now() - began) / 1000;
    if (this.#closing) throw new EngineConnError('EC_SHUTTING_DOWN', 'The manager is shutting down.');
    if (!ENGINE_NAMES.includes(req.engineType)) {
      throw new EngineConnError(
        'EC_UNKNOWN_ENGINE',
        `No engine '${req.engineType}'; the manager launches ${ENGINE_NAMES.join(', ')}.`,
      );
    }
    const key = askKeyOf(req);
    const flightKey = `${caller.user}\0${key}`;
    if (req.reuse) {
      const found = this.#pick(caller.user, key);
      if (found) {
        this.metrics.ask('reused', seconds());
        return { record: found, reused: true };
      }
      const flight = this.#flights.get(flightKey);
      if (flight) {
        const record = await flight;
        this.metrics.ask('reused', seconds());
        return { record, reused: true };
      }
    }
    try {
      this.#checkLimits(caller.user);
    } catch (err) {
      this.metrics.ask('limited', seconds());
      throw err;
    }
    const spec: LaunchSpec = {
      user: caller.user,
      engineType: req.engineType,
      executor: req.executor,
      labels: req.labels ?? {},
      conf: req.conf ?? {},
    };
    const launch = this.#launch(spec, key);
    if (req.reuse) {
      this.#flights.set(flightKey, launch);
      void launch.then(
        () => this.#flights.delete(flightKey),
        () => this.#flights.delete(flightKey),
      );
    }
    try {
      const record = await launch;
      this.metrics.ask('launched', seconds());
      return { record, reused: false };
    } catch (err) {
      this.metrics.ask('failed', seconds());
      throw err;
    }
  }

  /** The caller's live engine for this key that can admit a task now, least loaded first. */
  #pick(user: string, key: string): EngineRecord | undefined {
    return this.registry
      .all()
      .filter((r) => r.user === user && r.askKey === key && canAdmit(r))
      .sort((a, b) => load(a) - load(b))[0];
  }

  #checkLimits(user: string): void {
    const registered = (secret: string) => this.registry.all().some((r) => r.secret === secret);
    const { maxEngines, maxEnginesPerUser } = this.settings;
    const total = this.registry.countLive() + this.pending.unregistered(registered);
    if (maxEngines > 0 && total >= maxEngines) {
      throw new LimitReachedError(
        `The manager already runs ${total} engines (--max-engines ${maxEngines}); release one or wait for idle ones to release themselves.`,
      );
    }
    const mine = this.registry.countLive(user) + this.pending.unregistered(registered, user);
    if (maxEnginesPerUser > 0 && mine >= maxEnginesPerUser) {
      throw new LimitReachedError(
        `You already run ${mine} engines (--max-engines-per-user ${maxEnginesPerUser}); release one with DELETE /api/v1/engines/:id or reuse one.`,
      );
    }
  }

  /** The OS account an engine for `user` runs as: theirs when the manager is root, else the manager's own. */
  #osUserOf(user: string): OsUser | null {
    if (!runningAsRoot()) return null;
    const account = lookupOsUser(user);
    if (!account || account.uid === 0) {
      throw new EngineConnError(
        'EC_FORBIDDEN',
        account
          ? `The manager runs as root and never runs an engine as root; ask as a user with an OS account of their own.`
          : `The manager runs as root and launches each engine as its user's OS account, but there is no OS user '${user}'; create it (useradd) or use a token of a user that has one.`,
      );
    }
    return account;
  }

  async #launch(spec: LaunchSpec, askKey: string): Promise<EngineRecord> {
    const osUser = this.#osUserOf(spec.user);
    const launched = await launchEngine(
      spec,
      {
        command: this.settings.command,
        enginesDir: this.enginesDir,
        heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
        engineIdleTimeMs: this.settings.engineIdleTimeMs,
        orphanTimeoutMs: this.settings.orphanTimeoutMs,
        managerCa: this.settings.managerCa,
      },
      this.managerUrl(),
      osUser,
    );
    const pending = { spec, askKey, launched };
    this.pending.add(pending);
    this.logger.info({ user: spec.user, engineType: spec.engineType, pid: launched.pid }, 'launching an engine');
    try {
      const ready = await awaitReady(pending, this.registry, this.settings.engineStartTimeoutMs);
      // Its concurrency limit, which admission needs, is only in the engine's own account of itself.
      const info = await probeEngine(ready);
      const record = (info?.limit ? this.registry.update(ready.id, { limit: info.limit }) : undefined) ?? ready;
      this.watcher.follow(record.id, launched.exited);
      this.logger.info({ engine: record.id, user: spec.user, url: record.url }, 'engine ready');
      return record;
    } catch (err) {
      // A failed start leaves nothing: no process (its children included), no record, no files.
      killEngineGroup(launched.pid);
      await launched.exited;
      for (const r of this.registry.all()) if (r.secret === launched.secret) this.registry.remove(r.id);
      await rm(launched.dataDir, { recursive: true, force: true });
      this.logger.warn({ err, user: spec.user, engineType: spec.engineType }, 'engine start failed');
      throw err;
    } finally {
      this.pending.delete(pending);
    }
  }

  /** `DELETE /api/v1/engines/:id`: asks the engine to drain and exit, kills it after the grace. */
  stop(record: EngineRecord): void {
    const stopping = this.#stop(record).finally(() => this.#stops.delete(stopping));
    this.#stops.add(stopping);
  }

  async #stop(record: EngineRecord): Promise<void> {
    if (isTerminalEngineStatus(record.status) || !record.url) {
      this.watcher.bury(record);
      return;
    }
    try {
      await fetch(`${record.url}/api/v1/engineconn/shutdown`, {
        method: 'POST',
        headers: { authorization: `Bearer ${record.token}` },
        signal: AbortSignal.timeout(Math.min(5000, this.settings.stopGraceMs)),
      });
    } catch (err) {
      this.logger.warn({ err, engine: record.id }, 'engine did not take the shutdown; killing it');
    }
    await this.watcher.waitGone(record, this.settings.stopGraceMs);
    this.watcher.bury(record);
  }

  /**
   * Stops taking asks, kills launches still starting, and (unless --keep-engines) stops every engine.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.watcher.close();
      for (const p of this.pending.all()) killEngineGroup(p.launched.pid);
      if (!this.settings.keepEngines) {
        for (const record of this.registry.all()) if (!isTerminalEngineStatus(record.status)) this.stop(record);
      }
      await Promise.allSettled([...this.#stops]);
      await this.watcher.reap();
    })();
    return this.#closing;
  }
}
