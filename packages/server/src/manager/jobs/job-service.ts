import { randomBytes } from 'node:crypto';
import { EngineConnClient } from '@engineconn/client';
import { type Caller, EngineConnError, type TaskInfo, type TerminalTaskStatus } from '@engineconn/core';
import type { JobRef, JobRequest, JobSummary, JobView } from '@engineconn/protocol';
import type { Logger } from 'pino';
import { formatSseEvent } from '../../http/sse.js';
import type { EngineManager } from '../engine-manager.js';
import type { EngineRecord } from '../registry/engine-record.js';
import type { JobRecord } from '../registry/job-record.js';
import { type EngineRequest, engineFetch, engineJson } from './engine-fetch.js';

/**
 * The entrance (Linkis' Entrance): a job is ask + submit in one call, then read, followed and
 * killed through the manager with the caller's own token. The manager follows each job to its end,
 * so its outcome survives the engine: a job whose engine is lost ends Failed, with the reason.
 */
export class JobService {
  readonly #follows = new Map<string, AbortController>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly manager: EngineManager,
    private readonly logger: Logger,
  ) {
    this.#unsubscribe = manager.registry.onChange((record) => {
      if (record.status === 'Lost') this.#failJobsOf(record);
    });
    for (const job of manager.registry.jobsFor({ user: '', admin: true })) {
      const record = manager.registry.find(job.engineId);
      if (job.final) continue;
      if (record?.status === 'Lost') this.#failJobsOf(record);
      else if (record) this.#follow(job, record);
    }
  }

  async submit(caller: Caller, req: JobRequest): Promise<JobRef> {
    const { record } = await this.manager.ask(caller, {
      engineType: req.engineType,
      labels: req.labels,
      executor: req.executor,
      conf: req.conf,
      reuse: true,
    });
    const body = {
      code: req.code,
      ...(req.runType ? { runType: req.runType } : {}),
      ...(req.properties ? { properties: req.properties } : {}),
    };
    const task = await engineJson<{ id: string; status: string }>(
      await engineFetch(record, 'POST', '/api/v1/tasks', { body }),
    );
    const job: JobRecord = {
      id: `job-${randomBytes(8).toString('hex')}`,
      user: caller.user,
      engineId: record.id,
      taskId: task.id,
      createdAt: new Date().toISOString(),
      final: null,
    };
    this.manager.registry.addJob(job);
    this.#follow(job, record);
    return { id: job.id, engineId: record.id, taskId: task.id, status: task.status };
  }

  visible(id: string, caller: Caller): JobRecord {
    return this.manager.registry.visibleJob(id, caller);
  }

  list(caller: Caller): JobSummary[] {
    return this.manager.registry
      .jobsFor(caller)
      .map((job) => ({
        id: job.id,
        engineId: job.engineId,
        taskId: job.taskId,
        createdAt: job.createdAt,
        // Known once the job ended; a running job's status is read with GET /api/v1/jobs/:id.
        status: job.final?.status ?? null,
      }))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** A job that ended with its engine gone (Lost): its outcome is the manager's to tell. */
  endedWithoutEngine(job: JobRecord): job is JobRecord & { final: TaskInfo } {
    const record = this.manager.registry.find(job.engineId);
    return job.final !== null && (!record || record.status === 'Lost');
  }

  /**
   * The end of the event stream of a job whose engine is gone, numbered on from what the follower
   * saw, so a follower cut off by the engine's death reconnects and learns how the job ended.
   */
  finalEvents(job: JobRecord & { final: TaskInfo }, after: number): string {
    const { error, finishedAt } = job.final;
    const status = job.final.status as TerminalTaskStatus;
    const at = finishedAt ?? new Date().toISOString();
    const withError = error ? { error } : {};
    return (
      formatSseEvent({ seq: after + 1, event: 'status', data: { status, at, ...withError } }) +
      formatSseEvent({ seq: after + 2, event: 'done', data: { status, finishedAt: at, ...withError } })
    );
  }

  /** The engine still serving the job, or the reason it cannot be reached through the manager. */
  #engineOf(job: JobRecord): EngineRecord {
    const record = this.manager.registry.find(job.engineId);
    if (record?.status === 'Lost') {
      throw new EngineConnError(
        'EC_ENGINE_LOST',
        `Job ${job.id} ran on engine ${record.id}, which ${record.lostReason ?? 'was lost'}.`,
      );
    }
    if (!record) {
      throw new EngineConnError('EC_JOB_NOT_FOUND', `Job ${job.id} ran on an engine that has since been released.`);
    }
    return record;
  }

  /** A request to the job's task on the engine serving it: `/api/v1/tasks/<taskId><rest>`. */
  async taskFetch(job: JobRecord, method: string, rest = '', req?: EngineRequest): Promise<Response> {
    return engineFetch(this.#engineOf(job), method, `/api/v1/tasks/${job.taskId}${rest}`, req);
  }

  async view(job: JobRecord): Promise<JobView> {
    const task = this.endedWithoutEngine(job)
      ? job.final
      : await engineJson<TaskInfo>(await this.taskFetch(job, 'GET'));
    return this.#asJob(job, task);
  }

  async kill(job: JobRecord): Promise<{ id: string; status: string }> {
    const answer = await engineJson<{ id: string; status: string }>(await this.taskFetch(job, 'POST', '/kill'));
    return { ...answer, id: job.id };
  }

  #asJob(job: JobRecord, task: TaskInfo): JobView {
    return { ...task, id: job.id, engineId: job.engineId, taskId: job.taskId };
  }

  #follow(job: JobRecord, record: EngineRecord): void {
    if (!record.url) return;
    const abort = new AbortController();
    this.#follows.set(job.id, abort);
    const client = new EngineConnClient({ url: record.url, token: record.token });
    client
      .handle(job.taskId, { signal: abort.signal })
      .done.then((info) => {
        job.final = info;
        this.manager.registry.updateJob(job);
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted) this.logger.debug({ err, job: job.id }, 'stopped following a job');
      })
      .finally(() => this.#follows.delete(job.id));
  }

  #failJobsOf(record: EngineRecord): void {
    const now = new Date().toISOString();
    for (const job of this.manager.registry.jobsOf(record.id)) {
      if (job.final) continue;
      this.#follows.get(job.id)?.abort();
      job.final = {
        id: job.taskId,
        owner: job.user,
        status: 'Failed',
        runType: '',
        progress: 0,
        progressInfo: [],
        statements: { total: 0, current: 0 },
        createdAt: job.createdAt,
        startedAt: null,
        finishedAt: now,
        error: {
          code: 'EC_ENGINE_LOST',
          message: `Engine ${record.id} running this job was lost: ${record.lostReason ?? 'it stopped reporting'}. Submit the job again.`,
        },
        resultSets: [],
        labels: {},
        logLines: 0,
      };
      this.manager.registry.updateJob(job);
    }
  }

  close(): void {
    this.#unsubscribe();
    for (const abort of this.#follows.values()) abort.abort();
  }
}
