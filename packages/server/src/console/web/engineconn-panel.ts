import type { EngineConnInfo } from '@engineconn/protocol';
import { byId, pill } from './shared/dom.js';

const bytes = (n: number) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : `${(n / (1 << 20)).toFixed(0)} MiB`);

/** Fills the EngineConn card (and the id in the header) from `GET /api/v1/engineconn`. */
export function showEngineConn(info: EngineConnInfo): void {
  byId('ec-id', HTMLElement).textContent = info.id;
  pill(byId('ec-status', HTMLElement), info.status);
  pill(byId('ec-health', HTMLElement), info.health);
  byId('ec-engine', HTMLElement).textContent = `${info.engineType} ${info.engineVersion}`;
  byId('ec-executor', HTMLElement).textContent = info.executor;
  byId('ec-owner', HTMLElement).textContent = info.owner;
  const { running, queued, limit } = info.concurrency;
  byId('ec-load', HTMLElement).textContent = `${running} running, ${queued} queued, limit ${limit}`;
  const o = info.overload;
  byId('ec-memory', HTMLElement).textContent =
    `${bytes(o.usedMemory)} of ${bytes(o.maxMemory)} (system free ${bytes(o.systemLeftMemory)})`;
  byId('ec-cpu', HTMLElement).textContent = `${Math.round(o.systemCpuUsed * 100)}%`;
  const labels = Object.entries(info.labels).map(([key, value]) => `${key}=${value}`);
  byId('ec-labels', HTMLElement).textContent = labels.join(', ') || '—';
  byId('ec-started', HTMLElement).textContent = new Date(info.startedAt).toLocaleString();
}
