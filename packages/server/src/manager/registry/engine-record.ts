import type { Engine, EngineStatus } from '@engineconn/core/manager';

/** What the registry keeps about an engine: the wire shape plus what only the manager may see. */
export interface EngineRecord extends Engine {
  /** The EC's owner token (its auth file), handed to the caller in the ask answer. */
  token: string;
  /** The secret its reports must carry. */
  secret: string;
  /** The directory the manager made for it (the EC's data dir); removed when it leaves. */
  dataDir: string;
  /** engineType, executor, labels and conf as asked: engines are reused only for the same key. */
  askKey: string;
  /** Tasks it runs at once, and how many more it queues. */
  limit: number;
  queueLimit: number;
  /** Epoch ms of its last report of any kind (or of the manager adopting it). */
  lastSeenMs: number;
}

export const TERMINAL_ENGINE_STATUSES: ReadonlySet<EngineStatus> = new Set(['Success', 'Failed', 'Lost']);

/** Statuses of an engine serving tasks (or able to once a lock is released). */
export const SERVING_STATUSES: ReadonlySet<EngineStatus> = new Set(['Unlock', 'Idle', 'Locked', 'Busy']);

export function isTerminalEngineStatus(status: EngineStatus): boolean {
  return TERMINAL_ENGINE_STATUSES.has(status);
}

/** The public view: never the token or the secret. */
export function publicEngine(record: EngineRecord): Engine {
  return {
    id: record.id,
    url: record.url,
    user: record.user,
    engineType: record.engineType,
    executor: record.executor,
    labels: record.labels,
    status: record.status,
    health: record.health,
    pid: record.pid,
    startedAt: record.startedAt,
    lastHeartbeatAt: record.lastHeartbeatAt,
    running: record.running,
    queued: record.queued,
    ...(record.lostReason ? { lostReason: record.lostReason } : {}),
  };
}

/**
 * Whether the engine can admit a task now (docs/manager.md): a serial engine only while Unlock; a
 * concurrent or async one while Unlock, or Busy only because its slots are full and its queue has
 * room (Busy below its limit means overloaded or unhealthy).
 */
export function canAdmit(record: EngineRecord): boolean {
  if (record.health === 'UnHealthy') return false;
  if (record.status === 'Unlock') return true;
  if (record.executor === 'serial' || record.status !== 'Busy') return false;
  return record.running >= record.limit && record.queued < record.queueLimit;
}

export function load(record: EngineRecord): number {
  return record.running + record.queued;
}
