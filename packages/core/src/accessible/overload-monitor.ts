import { cpus, freemem, totalmem } from 'node:os';
import type { OverloadInfo } from '../engine-conn/engine-conn-info.js';
import { type LongTimer, setLongInterval } from '../util/long-timer.js';

export interface OverloadThresholds {
  /** RSS in bytes past which the EngineConn is overloaded. */
  maxMemory: number;
  /** System CPU use (0..1) past which the EngineConn is overloaded. */
  maxCpu: number;
  sampleIntervalMs: number;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/**
 * Samples memory and CPU (Linkis' NodeOverLoadInfoManager). Overload makes a concurrent EngineConn
 * report Busy so a manager routes work elsewhere; it is a signal, not a throttle.
 */
export class OverloadMonitor {
  #timer: LongTimer | null = null;
  #last = cpuTimes();
  #cpu = 0;
  #overloaded = false;

  constructor(
    private readonly thresholds: OverloadThresholds,
    private readonly onChange: (overloaded: boolean) => void,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setLongInterval(() => this.sample(), this.thresholds.sampleIntervalMs);
  }

  get overloaded(): boolean {
    return this.#overloaded;
  }

  sample(): void {
    const now = cpuTimes();
    const total = now.total - this.#last.total;
    if (total > 0) this.#cpu = 1 - (now.idle - this.#last.idle) / total;
    this.#last = now;
    const overloaded = process.memoryUsage.rss() > this.thresholds.maxMemory || this.#cpu > this.thresholds.maxCpu;
    if (overloaded !== this.#overloaded) {
      this.#overloaded = overloaded;
      this.onChange(overloaded);
    }
  }

  info(): OverloadInfo {
    return {
      maxMemory: this.thresholds.maxMemory,
      usedMemory: process.memoryUsage.rss(),
      systemCpuUsed: Math.round(this.#cpu * 1000) / 1000,
      systemLeftMemory: freemem(),
    };
  }

  close(): void {
    this.#timer?.clear();
    this.#timer = null;
  }

  /** The figures before the first sample (start-up). */
  static idleInfo(): OverloadInfo {
    return { maxMemory: 0, usedMemory: process.memoryUsage.rss(), systemCpuUsed: 0, systemLeftMemory: freemem() };
  }

  /** `ec.overload.memory`: a fraction of system memory (0..1] or a byte count. */
  static memoryLimit(value: number): number {
    return value <= 1 ? Math.floor(totalmem() * value) : Math.floor(value);
  }
}
