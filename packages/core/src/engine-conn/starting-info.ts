import { OverloadMonitor } from '../accessible/overload-monitor.js';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EnginePlugin } from '../plugin/engine-plugin.js';
import type { EngineConnInfo } from './engine-conn-info.js';

/**
 * What is known of an EngineConn before its runtime exists: enough for the manager's register and
 * failure reports when start-up fails (the runtime exists only once started).
 */
export function startingInfo(plugin: EnginePlugin<unknown>, context: EngineCreationContext): EngineConnInfo {
  const now = new Date().toISOString();
  return {
    id: context.id,
    engineType: plugin.name,
    engineVersion: plugin.version,
    executor: context.executor,
    status: 'Starting',
    health: 'Healthy',
    owner: context.user,
    labels: { ...context.labels },
    concurrency: { limit: 0, running: 0, queued: 0 },
    overload: OverloadMonitor.idleInfo(),
    startedAt: now,
    lastActivityAt: now,
    pid: process.pid,
    lock: { held: false },
  };
}
