import { OverloadMonitor, type OverloadThresholds } from '../accessible/overload-monitor.js';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EnginePlugin } from '../plugin/engine-plugin.js';
import { ENGINE_NICE_OPTION, readEngineNice } from '../process/engine-nice.js';

/** The runtime's own options, read once at start from `--conf` (CLI flags map onto these keys). */
export interface RuntimeSettings {
  concurrency: number;
  queueLimit: number;
  killGraceMs: number;
  shutdownGraceMs: number;
  maxFreeTimeMs: number;
  lockTimeoutMs: number;
  /** The longest lock a caller may ask for (`ec.lockMaxTimeout`). */
  lockMaxTimeoutMs: number;
  startTimeoutMs: number;
  log: { memoryLines: number; maxLines: number; maxChars: number };
  retention: { ms: number; count: number };
  overload: OverloadThresholds;
  /** How much lower than the event loop the engine's threads and processes run (`ec.engineNice`). */
  engineNice: number;
}

export const RUNTIME_OPTION_KEYS = [
  'ec.concurrency',
  'ec.queueLimit',
  'ec.killGrace',
  'ec.shutdownGrace',
  'ec.maxFreeTime',
  'ec.lock.timeout',
  'ec.lockMaxTimeout',
  'ec.startTimeout',
  'ec.log.memoryLines',
  'ec.log.maxLines',
  'ec.log.maxChars',
  'ec.taskRetention',
  'ec.taskRetentionCount',
  'ec.overload.memory',
  'ec.overload.cpu',
  'ec.overload.interval',
  'ec.heartbeatInterval',
  'ec.callerTimeout',
  'ec.manager.orphanTimeout',
  'ec.shareLevel',
  'ec.manager.url',
  ENGINE_NICE_OPTION,
] as const;

export function readRuntimeSettings(ctx: EngineCreationContext, plugin: EnginePlugin<unknown>): RuntimeSettings {
  const single = ctx.executor === 'serial' || ctx.executor === 'once';
  const async = ctx.executor === 'async';
  const concurrency = single ? 1 : ctx.integer('ec.concurrency', plugin.defaultConcurrency ?? (async ? 1000 : 8), 1);
  const lockMaxTimeoutMs = ctx.duration('ec.lockMaxTimeout', 60 * 60_000);
  const lockTimeoutMs = ctx.duration('ec.lock.timeout', Math.min(5 * 60_000, lockMaxTimeoutMs), {
    max: lockMaxTimeoutMs,
    maxName: 'ec.lockMaxTimeout',
  });
  return {
    concurrency,
    queueLimit: single ? 0 : ctx.integer('ec.queueLimit', async ? 10_000 : 1000, 0),
    killGraceMs: ctx.duration('ec.killGrace', 2000),
    shutdownGraceMs: ctx.duration('ec.shutdownGrace', 30_000),
    maxFreeTimeMs: ctx.duration('ec.maxFreeTime', 30 * 60_000),
    lockTimeoutMs,
    lockMaxTimeoutMs,
    startTimeoutMs: ctx.duration('ec.startTimeout', 60_000),
    log: {
      memoryLines: ctx.integer('ec.log.memoryLines', 5000, 1),
      maxLines: ctx.integer('ec.log.maxLines', 0, 0),
      // A task that prints a gigabyte is capped with a note rather than filling the disk.
      maxChars: ctx.integer('ec.log.maxChars', 256 * 1024 * 1024, 0),
    },
    retention: {
      ms: ctx.duration('ec.taskRetention', 60 * 60_000),
      count: ctx.integer('ec.taskRetentionCount', 10_000, 1),
    },
    overload: {
      maxMemory: OverloadMonitor.memoryLimit(ctx.number('ec.overload.memory', 0.9, 0)),
      // CPU overload is off unless configured: a busy 2-core box is not a reason to refuse work.
      maxCpu: ctx.number('ec.overload.cpu', 1, 0),
      sampleIntervalMs: ctx.duration('ec.overload.interval', 1000),
    },
    engineNice: readEngineNice(ctx),
  };
}
