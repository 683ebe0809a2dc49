import type {
  CompletedTask,
  EngineConnInfo,
  Health,
  HealthAnswer,
  LockGrant,
  LogPage,
  ResultSetList,
  ResultSetMeta,
  RowsPage,
  SubmitRequest,
  TaskEvent,
  TaskInfo,
  TaskList,
  TaskRef,
  TaskStatus,
  TextResult,
} from '@engineconn/protocol';
import { type FetchLike, HttpTransport } from './http/http-transport.js';
import type { ResultPage, TablePage, TextPage } from './results/result-pages.js';
import type { RetryOptions } from './retry/backoff.js';
import { sseTaskEvents } from './sse/sse-task-events.js';
import { TaskHandle } from './task/task-handle.js';
import { readLogLines, withWholeLog } from './task/whole-log.js';
import { EventSocket } from './ws/event-socket.js';
import { wsTaskEvents } from './ws/ws-task-events.js';

/** How live events travel: Server-Sent Events (one HTTP stream per task) or the WebSocket. */
export type EventTransport = 'sse' | 'ws';

export interface EngineConnClientOptions {
  /** The EngineConn's base URL, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /**
   * Bearer token: one from the auth file, or the owner token of an EngineConn without one. When not
   * given, the owner token the EngineConn left for this URL in this OS user's runtime file.
   */
  token?: string | undefined;
  /** Look for the owner token in the runtime file when `token` is not given (default true). */
  runtimeToken?: boolean | undefined;
  /**
   * PEM certificate(s) to trust, besides the system's, for an `https://` EngineConn started with
   * `--tls-cert` (its CA, or the certificate itself when self-signed).
   */
  ca?: string | Buffer | undefined;
  /** A fetch implementation (defaults to the global one). */
  fetch?: FetchLike | undefined;
  retry?: RetryOptions | undefined;
  /** Default transport for task events (default `sse`). */
  transport?: EventTransport | undefined;
  /**
   * Where the task routes live (default `/api/v1/tasks`). A manager serves the same routes for its
   * jobs under `/api/v1/jobs` (ManagerClient uses that), so one handle follows either.
   */
  tasksPath?: string | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

const PAGE_SIZE = 1000;

/** A `wait` as the API's query takes it: a number is milliseconds. */
const waitQuery = (wait: string | number) => (typeof wait === 'number' ? `${wait}ms` : wait);

/** A TABLE page requested and not yet read (resultPages keeps one in flight ahead of the reader). */
interface PendingPage {
  page: Promise<TablePage>;
  cancel(): void;
}

/**
 * How long `submit()` waits by default for the task to end in the same request: long enough for the
 * interactive queries the one-request flow is for (one round trip, results inline), short enough that
 * a caller following a long task's logs starts within a second.
 */
export const DEFAULT_SUBMIT_WAIT = '1s';

export interface SubmitOptions extends CallOptions {
  transport?: EventTransport;
  /**
   * Wait up to this long (`500ms`, `10s`, at most `60s`, or milliseconds) for the task to end in the
   * submit request itself; a task that does comes back with its first result pages, so `done` and
   * `results()` need no further request. 0 returns as soon as the task is accepted.
   */
  wait?: string | number;
}

const enc = encodeURIComponent;

/**
 * A typed client for one EngineConn's HTTP API (docs/api.md). Every method takes an AbortSignal; reads
 * are retried on transient transport failures with jittered backoff; failures are
 * `EngineConnClientError` carrying the server's `EC_*` code.
 */
export class EngineConnClient {
  readonly #http: HttpTransport;
  readonly #transport: EventTransport;
  readonly #tasks: string;

  constructor(options: EngineConnClientOptions) {
    this.#http = new HttpTransport(options);
    this.#transport = options.transport ?? 'sse';
    this.#tasks = options.tasksPath ?? '/api/v1/tasks';
  }

  get url(): string {
    return this.#http.baseUrl;
  }

  info(options: CallOptions = {}): Promise<EngineConnInfo> {
    return this.#http.json('GET', '/api/v1/engineconn', { signal: options.signal, retry: true });
  }

  /**
   * Submits code (never retried: a repeat would run it twice) and returns a handle to follow it. By
   * default the request waits up to DEFAULT_SUBMIT_WAIT for the task to end (a one-request task).
   */
  async submit(request: SubmitRequest | string, options: SubmitOptions = {}): Promise<TaskHandle> {
    const body: SubmitRequest = typeof request === 'string' ? { code: request } : request;
    const wait = options.wait ?? DEFAULT_SUBMIT_WAIT;
    const response = await this.#http.request('POST', this.#tasks, {
      body,
      signal: options.signal,
      query: { wait: wait === 0 ? undefined : waitQuery(wait) },
    });
    const handleOptions = { transport: options.transport ?? this.#transport, signal: options.signal };
    if (response.status === 200) {
      const completed = (await response.json()) as CompletedTask;
      return new TaskHandle(this, { id: completed.id, status: completed.status }, { ...handleOptions, completed });
    }
    return new TaskHandle(this, (await response.json()) as TaskRef, handleOptions);
  }

  /** A handle on a task submitted earlier (or by someone else, for admins). */
  handle(id: string, options: CallOptions & { transport?: EventTransport } = {}): TaskHandle {
    return new TaskHandle(
      this,
      { id, status: 'Inited' },
      { transport: options.transport ?? this.#transport, signal: options.signal },
    );
  }

  /** One page of your tasks, newest first; pass the answer's `next` as `after` for the next page. */
  taskPage(options: CallOptions & { limit?: number; after?: string; status?: TaskStatus } = {}): Promise<TaskList> {
    const query: Record<string, string | number> = {};
    if (options.limit !== undefined) query.limit = options.limit;
    if (options.after !== undefined) query.after = options.after;
    if (options.status !== undefined) query.status = options.status;
    return this.#http.json('GET', this.#tasks, { signal: options.signal, retry: true, query });
  }

  /** Your tasks, newest first, a page at a time (`limit` per request). */
  async *taskPages(options: CallOptions & { limit?: number; status?: TaskStatus } = {}): AsyncGenerator<TaskInfo[]> {
    let after: string | undefined;
    for (;;) {
      const page = await this.taskPage({ ...options, ...(after === undefined ? {} : { after }) });
      if (page.tasks.length > 0) yield page.tasks;
      // No `next` (null, or absent from an EngineConn that does not page) is the last page.
      if (typeof page.next !== 'string' || page.tasks.length === 0) return;
      after = page.next;
    }
  }

  /** Every one of your tasks, newest first (all pages). */
  async tasks(options: CallOptions & { status?: TaskStatus } = {}): Promise<TaskInfo[]> {
    const all: TaskInfo[] = [];
    for await (const page of this.taskPages({ ...options, limit: 1000 })) all.push(...page);
    return all;
  }

  task(id: string, options: CallOptions = {}): Promise<TaskInfo> {
    return this.#http.json('GET', `${this.#tasks}/${enc(id)}`, { signal: options.signal, retry: true });
  }

  logs(id: string, options: CallOptions & { from?: number; limit?: number } = {}): Promise<LogPage> {
    return this.#http.json('GET', `${this.#tasks}/${enc(id)}/logs`, {
      signal: options.signal,
      retry: true,
      query: { from: options.from ?? 0, limit: options.limit ?? PAGE_SIZE },
    });
  }

  /**
   * The task's log lines from line `from`, each once and in order. With `follow` (the default) it
   * follows the task's `log` events until `done`, filling any gap between batches from the logs
   * endpoint; without, it reads what is there now.
   */
  async *followLogs(
    id: string,
    options: CallOptions & { from?: number; follow?: boolean; transport?: EventTransport } = {},
  ): AsyncGenerator<string> {
    const from = options.from ?? 0;
    let next = from;
    if (options.follow !== false) {
      const events = this.events(id, { signal: options.signal, transport: options.transport });
      for await (const event of withWholeLog(this, id, events, { from, signal: options.signal })) {
        if (event.event !== 'log') continue;
        next = event.data.from + event.data.lines.length;
        yield* event.data.lines;
      }
    }
    for await (const lines of readLogLines(this, id, next, Number.POSITIVE_INFINITY, options)) yield* lines;
  }

  async results(id: string, options: CallOptions = {}): Promise<ResultSetMeta[]> {
    const answer = await this.#http.json<ResultSetList>('GET', `${this.#tasks}/${enc(id)}/results`, {
      signal: options.signal,
      retry: true,
    });
    return answer.resultSets;
  }

  /**
   * One page of a TABLE (rows) or TEXT/HTML (UTF-8 bytes; the server's default is 1000 rows or 1 MiB)
   * result set, or the bytes of a PICTURE.
   */
  async resultPage(
    id: string,
    index: number,
    options: CallOptions & { offset?: number; limit?: number; wait?: string | number } = {},
  ): Promise<ResultPage> {
    const response = await this.#http.request('GET', `${this.#tasks}/${enc(id)}/results/${index}`, {
      signal: options.signal,
      retry: true,
      query: {
        offset: options.offset ?? 0,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        ...(options.wait === undefined ? {} : { wait: waitQuery(options.wait) }),
      },
    });
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/json')) {
      return { kind: 'binary', mimeType: type, bytes: new Uint8Array(await response.arrayBuffer()) };
    }
    const body = (await response.json()) as RowsPage | TextResult;
    if ('text' in body) return { kind: 'text', text: body.text, offset: body.offset, next: body.next ?? null };
    return { kind: 'table', columns: body.columns, rows: body.rows, offset: body.offset, next: body.next ?? null };
  }

  /**
   * Every page of a TABLE result set from row `offset` (default 0), `pageSize` rows at a time. Once a
   * page came back full (the set is larger than one page), each next page is asked for while this
   * one is received and decoded and while the caller works on it: a full page ends where the next
   * starts, so that request goes out at once, and the EngineConn serves it while this side parses.
   * A guess that turns out wrong (the last page, or a short page of a set still being written) is
   * cancelled. The first page is asked for alone, so a set of one page costs one request.
   *
   * With `wait` (e.g. `'10s'`) the walk follows a set the task is still writing, as a reader of the
   * engine's own cursor would: each page request waits on the EngineConn for its rows (or the set,
   * or its end), so the first rows are in the caller's hands while the task runs and the walk ends
   * when the set is complete. Without it an empty page of a set still open ends the walk. A set
   * the task never opened ends the walk with EC_RESULT_NOT_FOUND; check the task's status after
   * the walk (a set cut short by a failure ends like a whole one).
   */
  async *resultPages(
    id: string,
    index: number,
    options: CallOptions & { pageSize?: number; offset?: number; wait?: string | number } = {},
  ): AsyncGenerator<TablePage> {
    const size = options.pageSize ?? PAGE_SIZE;
    const ask = (at: number) =>
      this.#tablePage(id, index, { offset: at, limit: size, wait: options.wait }, options.signal);
    let offset = options.offset ?? 0;
    let current = ask(offset);
    let ahead: PendingPage | null = null;
    let full = false;
    try {
      for (;;) {
        ahead = full ? ask(offset + size) : null;
        const page = await current.page;
        if (page.rows.length > 0 || page.next === null || options.wait === undefined) yield page;
        if (page.next === null) return;
        // Without `wait`, an empty page of a set still being written ends the walk rather than spin
        // on it; with it, the EngineConn waited before answering, so asking again does not spin.
        if (page.rows.length === 0 && options.wait === undefined) return;
        full = page.next === offset + size;
        if (full && ahead) {
          current = ahead;
        } else {
          ahead?.cancel();
          current = ask(page.next);
        }
        ahead = null;
        offset = page.next;
      }
    } finally {
      // The walk ended or was left early: no request stays in flight for a page nobody reads.
      ahead?.cancel();
      current.cancel();
    }
  }

  /** One TABLE page, asked for now; `cancel()` aborts it and drops its failure. */
  #tablePage(
    id: string,
    index: number,
    at: { offset: number; limit: number; wait: string | number | undefined },
    signal?: AbortSignal,
  ): PendingPage {
    const abort = new AbortController();
    const page = this.resultPage(id, index, {
      offset: at.offset,
      limit: at.limit,
      ...(at.wait === undefined ? {} : { wait: at.wait }),
      signal: signal ? AbortSignal.any([signal, abort.signal]) : abort.signal,
    }).then((answer) => {
      if (answer.kind !== 'table') throw new TypeError(`Result set ${index} of task ${id} is not a TABLE.`);
      return answer;
    });
    // Handled here so that a page asked for ahead and never read cannot fail unhandled; a reader
    // awaiting `page` still gets its failure.
    page.catch(() => {});
    return { page, cancel: () => abort.abort() };
  }

  /** Every page of a TEXT or HTML result set, in order (each at most 1 MiB, never splitting a character). */
  async *textPages(
    id: string,
    index: number,
    options: CallOptions & { offset?: number } = {},
  ): AsyncGenerator<TextPage> {
    let offset = options.offset ?? 0;
    for (;;) {
      const page = await this.resultPage(id, index, { offset, signal: options.signal });
      if (page.kind !== 'text') throw new TypeError(`Result set ${index} of task ${id} is not TEXT or HTML.`);
      yield page;
      if (page.next === null || page.next === offset) return;
      offset = page.next;
    }
  }

  /** A whole TABLE result set as CSV or NDJSON text, or a TEXT/HTML set as itself (`raw`), streamed as it is read. */
  async *streamResult(
    id: string,
    index: number,
    format: 'csv' | 'ndjson' | 'raw',
    options: CallOptions = {},
  ): AsyncGenerator<string> {
    const response = await this.#http.request('GET', `${this.#tasks}/${enc(id)}/results/${index}`, {
      signal: options.signal,
      query: { format },
      headers: { accept: format === 'csv' ? 'text/csv' : format === 'raw' ? 'text/*' : 'application/x-ndjson' },
    });
    if (!response.body) return;
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of response.body) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  }

  /** Starts killing the task (idempotent); the task ends Cancelled once its work has stopped. */
  kill(id: string, options: CallOptions = {}): Promise<TaskRef> {
    return this.#http.json('POST', `${this.#tasks}/${enc(id)}/kill`, { signal: options.signal, retry: true });
  }

  lock(timeoutMs?: number, options: CallOptions = {}): Promise<LockGrant> {
    return this.#http.json('POST', '/api/v1/locks', {
      body: timeoutMs === undefined ? {} : { timeoutMs },
      signal: options.signal,
    });
  }

  async unlock(lock: string, options: CallOptions = {}): Promise<void> {
    await this.#http.json('DELETE', `/api/v1/locks/${enc(lock)}`, { signal: options.signal });
  }

  /** Breaks whatever lock is held, whoever holds it (the EngineConn's owner or an admin). */
  async breakLock(options: CallOptions = {}): Promise<void> {
    await this.#http.json('DELETE', '/api/v1/locks', { signal: options.signal });
  }

  /** Asks the EngineConn to drain and exit (owner or admin); resolves once it accepted. */
  async shutdown(options: CallOptions = {}): Promise<void> {
    await this.#http.json('POST', '/api/v1/engineconn/shutdown', { signal: options.signal });
  }

  setHealth(health: Health, options: CallOptions & { reason?: string } = {}): Promise<HealthAnswer> {
    const body = options.reason === undefined ? { health } : { health, reason: options.reason };
    return this.#http.json('POST', '/api/v1/engineconn/health', { body, signal: options.signal, retry: true });
  }

  /** The task's events after sequence `after` (default 0: all), each once and in order, ending after `done`. */
  events(
    id: string,
    options: CallOptions & { after?: number; transport?: EventTransport | undefined } = {},
  ): AsyncGenerator<TaskEvent> {
    const after = options.after ?? 0;
    return (options.transport ?? this.#transport) === 'ws'
      ? wsTaskEvents(this.#http, id, after, options.signal)
      : sseTaskEvents(this.#http, `${this.#tasks}/${enc(id)}/events`, after, options.signal);
  }

  /** A multiplexed WebSocket: subscribe to several tasks, or `'*'` for all of yours. */
  eventSocket(options: CallOptions & { highWater?: number } = {}): EventSocket {
    return new EventSocket(this.#http, options);
  }
}
