import { EventEmitter } from 'node:events';
import { type Caller, EngineConnError, IllegalTransitionError } from '@engineconn/core';
import type { EngineStatus } from '@engineconn/core/manager';
import { type EngineRecord, isTerminalEngineStatus } from './engine-record.js';
import type { JobRecord } from './job-record.js';
import type { RegistryStore } from './registry-store.js';

/**
 * The engines and jobs the manager knows (Linkis' AM node registry), in memory and written through to
 * the store. Statuses move by the EC's own reports, except Lost, which only the manager decides;
 * Success, Failed and Lost are final.
 */
export class EngineRegistry {
  readonly #engines = new Map<string, EngineRecord>();
  readonly #jobs = new Map<string, JobRecord>();
  readonly #events = new EventEmitter<{ changed: [EngineRecord]; removed: [EngineRecord] }>();

  constructor(private readonly store: RegistryStore) {
    for (const record of store.engines()) this.#engines.set(record.id, record);
    for (const job of store.jobs()) this.#jobs.set(job.id, job);
    this.#events.setMaxListeners(0);
  }

  all(): EngineRecord[] {
    return [...this.#engines.values()];
  }

  find(id: string): EngineRecord | undefined {
    return this.#engines.get(id);
  }

  /** The engine, if the caller may see it (their own; admins all); else EC_ENGINE_NOT_FOUND. */
  visible(id: string, caller: Caller): EngineRecord {
    const record = this.#engines.get(id);
    if (!record || !(caller.admin || record.user === caller.user)) {
      throw new EngineConnError(
        'EC_ENGINE_NOT_FOUND',
        `No engine '${id}' is visible to you; list yours with GET /api/v1/engines.`,
      );
    }
    return record;
  }

  listFor(caller: Caller): EngineRecord[] {
    return this.all().filter((r) => caller.admin || r.user === caller.user);
  }

  add(record: EngineRecord): void {
    this.#engines.set(record.id, record);
    this.store.putEngine(record);
    this.#events.emit('changed', record);
  }

  /** Applies a report's fields; a status change must be legal (nothing leaves a final status). */
  update(id: string, patch: Partial<EngineRecord>): EngineRecord | undefined {
    const record = this.#engines.get(id);
    if (!record) return undefined;
    if (patch.status && patch.status !== record.status && isTerminalEngineStatus(record.status)) {
      throw new IllegalTransitionError('Engine', record.status, patch.status);
    }
    Object.assign(record, patch);
    this.store.putEngine(record);
    this.#events.emit('changed', record);
    return record;
  }

  remove(id: string): void {
    const record = this.#engines.get(id);
    if (!record) return;
    this.#engines.delete(id);
    for (const job of this.#jobs.values()) if (job.engineId === id) this.#jobs.delete(job.id);
    this.store.deleteEngine(id);
    this.#events.emit('removed', record);
  }

  onChange(listener: (record: EngineRecord) => void): () => void {
    this.#events.on('changed', listener);
    this.#events.on('removed', listener);
    return () => {
      this.#events.off('changed', listener);
      this.#events.off('removed', listener);
    };
  }

  addJob(job: JobRecord): void {
    this.#jobs.set(job.id, job);
    this.store.putJob(job);
  }

  updateJob(job: JobRecord): void {
    if (!this.#jobs.has(job.id)) return;
    this.store.putJob(job);
  }

  /** The job, if the caller may see it; else EC_JOB_NOT_FOUND. */
  visibleJob(id: string, caller: Caller): JobRecord {
    const job = this.#jobs.get(id);
    if (!job || !(caller.admin || job.user === caller.user)) {
      throw new EngineConnError('EC_JOB_NOT_FOUND', `No job '${id}' is visible to you.`);
    }
    return job;
  }

  jobsFor(caller: Caller): JobRecord[] {
    return [...this.#jobs.values()].filter((j) => caller.admin || j.user === caller.user);
  }

  jobsOf(engineId: string): JobRecord[] {
    return [...this.#jobs.values()].filter((j) => j.engineId === engineId);
  }

  countLive(user?: string): number {
    return this.all().filter((r) => !isTerminalEngineStatus(r.status) && (user === undefined || r.user === user))
      .length;
  }

  statusCounts(): Map<EngineStatus, number> {
    const counts = new Map<EngineStatus, number>();
    for (const r of this.#engines.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    return counts;
  }
}
