import type { CompletedTask, InlineResult, ResultSetMeta, TaskEvent, TaskInfo, TaskRef } from '@engineconn/protocol';
import { isTerminalTaskStatus } from '@engineconn/protocol/constants';
import type { CallOptions, EngineConnClient, EventTransport } from '../engine-conn-client.js';
import type { ResultChunk } from '../results/result-pages.js';
import { withWholeLog } from './whole-log.js';

/**
 * A submitted task. `events` and `logs()` stream live; `done` resolves with the final TaskInfo
 * whatever the outcome (check `status`), and rejects only when the task cannot be followed (EC gone,
 * task evicted, aborted). The signal given to `submit` also bounds this handle's streams.
 */
export class TaskHandle {
  readonly id: string;
  /** The answer to the submit: the id and the status at that moment. */
  readonly submitted: TaskRef;
  /** The task and its first result pages, when it ended within the submit's wait (one request). */
  readonly completed: CompletedTask | undefined;
  readonly #client: EngineConnClient;
  readonly #transport: EventTransport;
  readonly #signal: AbortSignal | undefined;
  #done: Promise<TaskInfo> | null = null;
  #settle: { resolve: (info: TaskInfo) => void; reject: (err: unknown) => void } | null = null;
  #settled = false;
  #active = 0;
  #watching = false;

  constructor(
    client: EngineConnClient,
    submitted: TaskRef,
    options: { transport: EventTransport; signal?: AbortSignal | undefined; completed?: CompletedTask },
  ) {
    this.#client = client;
    this.id = submitted.id;
    this.submitted = submitted;
    this.completed = options.completed;
    this.#transport = options.transport;
    this.#signal = options.signal;
  }

  /** The task's events from the first one; each iteration opens its own stream. */
  get events(): AsyncIterable<TaskEvent> {
    return { [Symbol.asyncIterator]: () => this.#track(this.#client.events(this.id, this.#streamOptions())) };
  }

  /**
   * The task's events from the first one, as `events`, with every log line in its `log` events:
   * lines the stream did not carry are read from the log (withWholeLog). What a live view of the
   * task (status, progress and log) reads.
   */
  follow(): AsyncIterable<TaskEvent> {
    return withWholeLog(this.#client, this.id, this.events, this.#withSignal({}));
  }

  /** Resolves with the final TaskInfo once the task reached Succeed, Failed, Cancelled or Timeout. */
  get done(): Promise<TaskInfo> {
    if (!this.#done && this.completed) {
      const { results: _inline, ...info } = this.completed;
      this.#settled = true;
      this.#done = Promise.resolve(info);
    }
    if (!this.#done) {
      this.#done = new Promise<TaskInfo>((resolve, reject) => {
        this.#settle = { resolve, reject };
      });
      // Let a caller that reads `events` in the same tick start it first: its `done` event then settles
      // this promise, with no second stream.
      setImmediate(() => this.#maybeWatch());
    }
    return this.#done;
  }

  info(options: CallOptions = {}): Promise<TaskInfo> {
    return this.#client.task(this.id, options);
  }

  kill(options: CallOptions = {}): Promise<TaskRef> {
    return this.#client.kill(this.id, options);
  }

  /** The task's log lines from line `from`; with `follow` (the default) live until the task ends. */
  logs(options: CallOptions & { from?: number; follow?: boolean } = {}): AsyncIterable<string> {
    return this.#client.followLogs(this.id, { transport: this.#transport, ...this.#withSignal(options) });
  }

  /**
   * Every result set of the task, once it has finished, in pages: TABLE sets as pages of rows, TEXT and
   * HTML as pages of text (1 MiB each at most), PICTURE as bytes.
   */
  async *results(options: CallOptions & { pageSize?: number } = {}): AsyncGenerator<ResultChunk> {
    const call = this.#withSignal(options);
    if (this.completed) {
      for (const resultSet of this.completed.resultSets) {
        const inline = this.completed.results.find((r) => r.index === resultSet.index);
        yield* this.#fromInline(resultSet, inline, call);
      }
      return;
    }
    await this.done;
    for (const resultSet of await this.#client.results(this.id, call)) {
      if (resultSet.type === 'TEXT' || resultSet.type === 'HTML') {
        for await (const page of this.#client.textPages(this.id, resultSet.index, call)) yield { ...page, resultSet };
        continue;
      }
      if (resultSet.type !== 'TABLE') {
        yield { ...(await this.#client.resultPage(this.id, resultSet.index, call)), resultSet };
        continue;
      }
      for await (const page of this.#client.resultPages(this.id, resultSet.index, call)) yield { ...page, resultSet };
    }
  }

  /** A set's chunks starting from its inline first page; only what the page lacks is fetched. */
  async *#fromInline(
    resultSet: ResultSetMeta,
    inline: InlineResult | undefined,
    call: CallOptions & { pageSize?: number },
  ): AsyncGenerator<ResultChunk> {
    if (inline?.type === 'TABLE' && inline.rows) {
      // An empty first page that is not the end (the answer's inline budget was spent) is skipped.
      if (inline.rows.length > 0 || inline.next === null) {
        yield {
          kind: 'table',
          columns: inline.columns ?? [],
          rows: inline.rows,
          offset: 0,
          next: inline.next,
          resultSet,
        };
      }
      if (inline.next === null) return;
      for await (const rest of this.#client.resultPages(this.id, resultSet.index, { ...call, offset: inline.next })) {
        yield { ...rest, resultSet };
      }
      return;
    }
    if (inline?.text !== undefined) {
      if (inline.text !== '' || inline.next === null) {
        yield { kind: 'text', text: inline.text, offset: 0, next: inline.next, resultSet };
      }
      if (inline.next === null) return;
      for await (const rest of this.#client.textPages(this.id, resultSet.index, { ...call, offset: inline.next })) {
        yield { ...rest, resultSet };
      }
      return;
    }
    yield { ...(await this.#client.resultPage(this.id, resultSet.index, call)), resultSet };
  }

  #streamOptions(): { transport: EventTransport; signal?: AbortSignal } {
    return this.#signal ? { transport: this.#transport, signal: this.#signal } : { transport: this.#transport };
  }

  #withSignal<T extends CallOptions>(options: T): T {
    if (!this.#signal) return options;
    const signal = options.signal ? AbortSignal.any([options.signal, this.#signal]) : this.#signal;
    return { ...options, signal };
  }

  async *#track(source: AsyncIterable<TaskEvent>): AsyncGenerator<TaskEvent> {
    this.#active++;
    try {
      for await (const event of source) {
        if (event.event === 'done') this.#finish();
        yield event;
      }
    } finally {
      this.#active--;
      this.#maybeWatch();
    }
  }

  #maybeWatch(): void {
    if (!this.#settle || this.#settled || this.#active > 0 || this.#watching) return;
    this.#watching = true;
    void (async () => {
      try {
        const info = await this.#client.task(this.id, this.#withSignal({}));
        if (!isTerminalTaskStatus(info.status)) {
          for await (const event of this.#client.events(this.id, this.#streamOptions())) {
            if (event.event === 'done') break;
          }
        }
        this.#finish();
      } catch (err) {
        this.#fail(err);
      } finally {
        this.#watching = false;
      }
    })();
  }

  #finish(): void {
    if (!this.#settle || this.#settled) return;
    this.#settled = true;
    const settle = this.#settle;
    this.#client.task(this.id, this.#withSignal({})).then(settle.resolve, settle.reject);
  }

  #fail(err: unknown): void {
    if (!this.#settle || this.#settled) return;
    this.#settled = true;
    this.#settle.reject(err);
  }
}
