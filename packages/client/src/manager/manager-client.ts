import type { AskAnswer, AskRequestInput, Engine, EngineList, JobRef, JobRequest, TaskRef } from '@engineconn/protocol';
import { type CallOptions, EngineConnClient } from '../engine-conn-client.js';
import { type FetchLike, HttpTransport } from '../http/http-transport.js';
import type { RetryOptions } from '../retry/backoff.js';
import { TaskHandle } from '../task/task-handle.js';

export interface ManagerClientOptions {
  /** The manager's base URL, e.g. `http://127.0.0.1:7080`. */
  url: string;
  /** Your bearer token for the manager. */
  token?: string | undefined;
  /** PEM certificate(s) to trust for an https:// manager, and for the engines it hands out. */
  ca?: string | Buffer | undefined;
  fetch?: FetchLike | undefined;
  retry?: RetryOptions | undefined;
}

const enc = encodeURIComponent;

/**
 * A typed client for an EngineConnManager (docs/manager.md): ask for an engine, list and stop engines,
 * and run jobs, which come back as the same TaskHandle a task on an EngineConn does (events, logs,
 * results, kill), all through the manager with one token.
 */
export class ManagerClient {
  readonly #http: HttpTransport;
  readonly #ca: string | Buffer | undefined;
  /** The job routes, which answer as an EngineConn's task routes do: use it to read jobs by id. */
  readonly jobs: EngineConnClient;

  constructor(options: ManagerClientOptions) {
    this.#http = new HttpTransport(options);
    this.#ca = options.ca;
    // Jobs are followed over SSE: the manager has no WebSocket.
    this.jobs = new EngineConnClient({ ...options, tasksPath: '/api/v1/jobs', transport: 'sse' });
  }

  get url(): string {
    return this.#http.baseUrl;
  }

  /** Your live engine for this type, labels and conf, or a new one once it is ready (never retried: it may launch). */
  ask(request: AskRequestInput, options: CallOptions = {}): Promise<AskAnswer> {
    return this.#http.json('POST', '/api/v1/engines/ask', { body: request, signal: options.signal });
  }

  /** A client for an engine the manager handed out, with the token that came with it. */
  engineClient(engine: AskAnswer['engine']): EngineConnClient {
    if (!engine.url) throw new TypeError(`Engine ${engine.id} has no URL yet.`);
    return new EngineConnClient({ url: engine.url, token: engine.token, ca: this.#ca });
  }

  async engines(options: CallOptions = {}): Promise<Engine[]> {
    const answer = await this.#http.json<EngineList>('GET', '/api/v1/engines', {
      signal: options.signal,
      retry: true,
    });
    return answer.engines;
  }

  engine(id: string, options: CallOptions = {}): Promise<Engine> {
    return this.#http.json('GET', `/api/v1/engines/${enc(id)}`, { signal: options.signal, retry: true });
  }

  /** Stops an engine: it drains, and is killed after the manager's grace. */
  async stopEngine(id: string, options: CallOptions = {}): Promise<void> {
    await this.#http.json('DELETE', `/api/v1/engines/${enc(id)}`, { signal: options.signal });
  }

  /** Asks for an engine and submits the job to it in one call (never retried: a repeat would run it twice). */
  async submit(request: JobRequest, options: CallOptions = {}): Promise<TaskHandle & { job: JobRef }> {
    const job = await this.#http.json<JobRef>('POST', '/api/v1/jobs', { body: request, signal: options.signal });
    const handle = new TaskHandle(this.jobs, { id: job.id, status: job.status } as TaskRef, {
      transport: 'sse',
      signal: options.signal,
    });
    return Object.assign(handle, { job });
  }
}
