import { createHash, timingSafeEqual } from 'node:crypto';
import { EngineConnError } from '@engineconn/core';
import { type ManagerReportEvent, parseManagerReport } from '@engineconn/core/manager';
import type { EngineManager } from './engine-manager.js';
import { type EngineRecord, isTerminalEngineStatus } from './registry/engine-record.js';

const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

function bearerOf(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) {
    throw new EngineConnError('EC_UNAUTHORIZED', 'A report must carry the secret its manager gave the EngineConn.');
  }
  return match[1] as string;
}

/** How many tasks the engine queues beyond its running ones: `ec.queueLimit`, else the runtime's default. */
function queueLimitOf(executor: string, conf: Record<string, string>): number {
  if (executor === 'serial' || executor === 'once') return 0;
  const given = Number(conf['ec.queueLimit']);
  if (conf['ec.queueLimit'] !== undefined && Number.isInteger(given) && given >= 0) return given;
  return executor === 'async' ? 10_000 : 1000;
}

const wrongSecret = (id: string) =>
  new EngineConnError('EC_UNAUTHORIZED', `The report's secret is not the one engine '${id}' was launched with.`);

/**
 * The registry follows every report (docs/manager.md#watch-lost) of the engines the manager launched, each
 * authenticated by the secret that engine was given at launch: nobody else can move an engine's
 * status, and a stranger's reports are refused.
 */
export class ReportHandler {
  constructor(private readonly manager: EngineManager) {}

  handle(event: ManagerReportEvent, id: string, authorization: string | undefined, body: unknown): void {
    const secret = bearerOf(authorization);
    const { registry } = this.manager;
    const record = registry.find(id);
    if (record) {
      if (!sameSecret(record.secret, secret)) throw wrongSecret(id);
      this.#apply(event, record, body);
      return;
    }
    const pending = this.manager.pending.bySecret(secret);
    if (!pending) {
      // 404: a reporter takes it as "forgotten", re-registers, and an orphan stops once its timeout passes.
      throw new EngineConnError('EC_ENGINE_NOT_FOUND', `This manager did not launch an engine '${id}'.`);
    }
    if (event !== 'register') {
      throw new EngineConnError('EC_ENGINE_NOT_FOUND', `Engine '${id}' must register before it reports ${event}.`);
    }
    const report = parseManagerReport('register', body);
    if (report.id !== id || report.user !== pending.spec.user) throw wrongSecret(id);
    const { launched, spec, askKey } = pending;
    registry.add({
      id,
      url: report.url,
      user: spec.user,
      engineType: spec.engineType,
      executor: report.executor,
      labels: report.labels,
      status: 'Starting',
      health: 'Healthy',
      // The pid the manager spawned, never the report's: it is what the manager later signals (as
      // root), and a report is only as trustworthy as the engine's user, who can read its secret.
      pid: launched.pid,
      startedAt: report.startedAt,
      lastHeartbeatAt: null,
      running: 0,
      queued: 0,
      token: launched.token,
      secret: launched.secret,
      dataDir: launched.dataDir,
      askKey,
      // Until its own account says otherwise (read once it is ready): one at a time.
      limit: 1,
      queueLimit: queueLimitOf(report.executor, spec.conf),
      lastSeenMs: Date.now(),
    });
  }

  #apply(event: ManagerReportEvent, record: EngineRecord, body: unknown): void {
    const { registry } = this.manager;
    if (record.status === 'Lost') {
      // Lost is final: the engine was killed and its jobs failed; it is never handed out again.
      throw new EngineConnError('EC_ENGINE_NOT_FOUND', `Engine '${record.id}' is Lost.`);
    }
    if (isTerminalEngineStatus(record.status) && event !== 'release') {
      // Success or Failed: what is left to hear (the last heartbeat) changes nothing before the release.
      parseManagerReport(event, body);
      return;
    }
    const seen = { lastSeenMs: Date.now() };
    switch (event) {
      case 'register': {
        const report = parseManagerReport('register', body);
        // An engine registers before it runs any task, so its first URL is its own; a later one
        // could come from a task that read the secret, re-pointing its user's clients (and the
        // manager's proxied jobs, with the engine's token) at a listener of its choosing.
        if (record.url !== null && report.url !== record.url) {
          throw new EngineConnError(
            'EC_FORBIDDEN',
            `Engine '${record.id}' is served at ${record.url}; a report cannot move it. Launch a new engine instead.`,
          );
        }
        // The pid stays the one the manager launched (see above).
        registry.update(record.id, { ...seen, url: report.url, labels: report.labels });
        return;
      }
      case 'status': {
        const report = parseManagerReport('status', body);
        registry.update(record.id, { ...seen, status: report.status });
        return;
      }
      case 'heartbeat': {
        const report = parseManagerReport('heartbeat', body);
        registry.update(record.id, {
          ...seen,
          status: report.status,
          health: report.health,
          running: report.running,
          queued: report.queued,
          labels: report.labels,
          lastHeartbeatAt: report.at,
        });
        return;
      }
      case 'release':
        parseManagerReport('release', body);
        this.manager.watcher.released(record);
        return;
    }
  }
}
