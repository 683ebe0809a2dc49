import type { ExecutorKind } from '../plugin/engine-plugin.js';
import type { Health } from '../status/health.js';
import type { NodeStatus } from '../status/node-status.js';

export interface OverloadInfo {
  /** Bytes this process may use before the EngineConn reports itself overloaded. */
  maxMemory: number;
  /** Resident set size of this process, bytes. */
  usedMemory: number;
  /** System CPU use over the last sample, 0..1. */
  systemCpuUsed: number;
  /** Free system memory, bytes. */
  systemLeftMemory: number;
}

/** `GET /api/v1/engineconn` (docs/api.md#routes). */
export interface EngineConnInfo {
  id: string;
  engineType: string;
  engineVersion: string;
  executor: ExecutorKind;
  status: NodeStatus;
  health: Health;
  owner: string;
  labels: Record<string, string>;
  concurrency: { limit: number; running: number; queued: number };
  overload: OverloadInfo;
  startedAt: string;
  lastActivityAt: string;
  pid: number;
  /** Set once the HTTP server listens. */
  url?: string;
  lock?: { held: boolean; expiresAt?: string };
}

/** How the EngineConn ended; the process exits with `exitCode`. */
export interface RuntimeExit {
  status: 'Success' | 'Failed';
  reason: string;
  exitCode: number;
}
