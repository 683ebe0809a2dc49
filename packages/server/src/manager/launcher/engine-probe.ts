import { isHealth, isNodeStatus } from '@engineconn/core';
import type { EngineRecord } from '../registry/engine-record.js';

/** The engine's own account of itself, if it answers as the engine the registry knows. */
export async function probeEngine(record: EngineRecord, timeoutMs = 3000): Promise<Partial<EngineRecord> | null> {
  if (!record.url) return null;
  try {
    const res = await fetch(`${record.url}/api/v1/engineconn`, {
      headers: { authorization: `Bearer ${record.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return null;
    const info = (await res.json()) as {
      id?: unknown;
      status?: unknown;
      health?: unknown;
      concurrency?: { limit?: number; running?: number; queued?: number };
    };
    if (info.id !== record.id || !isNodeStatus(info.status) || !isHealth(info.health)) return null;
    return {
      status: info.status,
      health: info.health,
      running: info.concurrency?.running ?? 0,
      queued: info.concurrency?.queued ?? 0,
      ...(typeof info.concurrency?.limit === 'number' ? { limit: info.concurrency.limit } : {}),
    };
  } catch {
    return null;
  }
}
