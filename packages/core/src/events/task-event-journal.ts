import type { ErrorBody } from '@engineconn/protocol';
import { EngineConnError, type TaskStatus, type TerminalTaskStatus } from '@engineconn/protocol/constants';
import { BadRequestError } from '../errors/errors.js';
import { isoTime } from '../util/iso-time.js';
import { Wakeups } from '../util/wakeups.js';
import type { TaskEvent, TaskEventData, TaskEventName } from './engine-conn-events.js';
import { packLog, packStatus, unpack } from './packed-events.js';

/** What a journal reads log lines back from: the task's TaskLog. */
export interface JournalLog {
  read(from: number, limit: number): Promise<{ lines: string[] }>;
}

export interface TaskEventJournalOptions {
  /**
   * The task's log (its `read`), so log events need not hold their lines. An object, not a
   * function: a closure made per task was kept with every finished task for its retention.
   */
  log: JournalLog;
  /** A log batch longer than this becomes several consecutive events. Default 1000. */
  maxLogLinesPerEvent?: number;
  /** The time its events' times are kept relative to (see packed-events.ts): the task's creation. Default now. */
  since?: number;
}

/** An event as read back: kept as an object, or unpacked from its number. */
type StoredEvent =
  | { event: 'log'; from: number; count: number }
  /** A status or done event kept as its parts, its time as a number: made into data when read. */
  | { event: 'status' | 'done'; status: TaskStatus; atMs: number; error: ErrorBody | undefined }
  | { event: Exclude<TaskEventName, 'log'>; data: TaskEventData[Exclude<TaskEventName, 'log'>] };

/** The data of a status or done event kept as its parts. */
function statusData(item: Extract<StoredEvent, { atMs: number }>): TaskEventData['status' | 'done'] {
  const at = isoTime(item.atMs);
  if (item.event === 'status')
    return item.error ? { status: item.status, at, error: item.error } : { status: item.status, at };
  const status = item.status as TerminalTaskStatus;
  return item.error ? { status, finishedAt: at, error: item.error } : { status, finishedAt: at };
}

/** Events a follower fetches per read: bounds what one slow follower holds in memory at a time. */
const FOLLOW_BATCH = 100;

/**
 * The ordered events of one task (status, progress, log, resultSet, done), numbered from 1, that SSE
 * and WebSocket clients replay from any point and then follow live: `Last-Event-ID` resumes without
 * loss or repeat. A log event keeps only its line range and reads its lines back from the task log
 * when someone asks, so a chatty task's lines live once, in its log. Followers pull at their own pace;
 * a slow one slows only itself. The journal ends with `done`; appending after it is a bug.
 */
export class TaskEventJournal {
  readonly #log: JournalLog;
  readonly #maxLogLines: number;
  readonly #since: number;
  /** Status, done and log events as numbers (packed-events.ts), the others as objects. */
  #events: (StoredEvent | number)[] = [];
  #done = false;
  /** Followers waiting for the next event; made for the first one (most tasks have none). */
  #waiters: Wakeups | null = null;
  #followers = 0;

  constructor(opts: TaskEventJournalOptions) {
    this.#log = opts.log;
    this.#maxLogLines = Math.max(1, Math.floor(opts.maxLogLinesPerEvent ?? 1000));
    this.#since = opts.since ?? Date.now();
  }

  /** The seq of the last event, 0 when there is none. */
  get lastSeq(): number {
    return this.#events.length;
  }

  /** Open `follow()` iterations: event streams (SSE, WebSocket) someone is reading now (for --caller-timeout). */
  get followers(): number {
    return this.#followers;
  }

  /**
   * Counts a follower that is not a `follow()` iteration (a request waiting for the task to end) until
   * the returned function is called; calling it again does nothing.
   */
  hold(): () => void {
    this.#followers++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#followers--;
    };
  }

  /** True once `done` was appended. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Appends an event and returns its seq. A log batch longer than `maxLogLinesPerEvent` becomes
   * several events (the last one's seq is returned); an empty one adds nothing.
   */
  append<K extends TaskEventName>(event: K, data: TaskEventData[K]): number {
    if (this.#done) {
      throw new EngineConnError('EC_INTERNAL', `Task event '${event}' appended after 'done': the journal has ended.`);
    }
    if (event === 'log') {
      const { from, lines } = data as TaskEventData['log'];
      for (let at = 0; at < lines.length; at += this.#maxLogLines) {
        const count = Math.min(this.#maxLogLines, lines.length - at);
        this.#events.push(packLog(from + at, count, this.#maxLogLines));
      }
    } else {
      this.#events.push({ event, data } as StoredEvent);
      if (event === 'done') this.#end();
    }
    this.#wake();
    return this.#events.length;
  }

  /**
   * Appends a `status` event (or with `event` 'done', the `done` event of a task that ended at
   * `atMs`), as `append` would, keeping the time a number: most tasks' events are never read, and
   * their ISO text was built and held for each one.
   */
  appendStatus(event: 'status' | 'done', status: TaskStatus, atMs: number, error: ErrorBody | undefined): number {
    if (this.#done) {
      throw new EngineConnError('EC_INTERNAL', `Task event '${event}' appended after 'done': the journal has ended.`);
    }
    // A time not a whole number of ms from `since` would not come back from its number: an object.
    const packable = error === undefined && Number.isSafeInteger(atMs - this.#since);
    this.#events.push(packable ? packStatus(event, status, atMs, this.#since) : { event, status, atMs, error });
    if (event === 'done') this.#end();
    this.#wake();
    return this.#events.length;
  }

  /**
   * The journal is complete: its events are copied into an array of their own length. An array
   * grown by push keeps room for 17 or more (152 bytes for a trivial task's 7 events), and a
   * finished task is kept, events and all, for its whole retention.
   */
  #end(): void {
    this.#done = true;
    this.#events = this.#events.slice();
  }

  #wake(): void {
    this.#waiters?.wakeAll();
  }

  /** Events with seq > `after`, at most `max`, with the lines of log events read back. */
  async read(after: number, max = 1000): Promise<TaskEvent[]> {
    if (!Number.isInteger(after)) throw new BadRequestError(`'after' must be an integer, got ${after}.`);
    if (!Number.isInteger(max) || max < 0) throw new BadRequestError(`'max' must be an integer >= 0, got ${max}.`);
    const first = Math.max(0, after);
    const stored: StoredEvent[] = this.#events
      .slice(first, first + max)
      .map((item) => (typeof item === 'number' ? unpack(item, this.#since, this.#maxLogLines) : item));
    const out: TaskEvent[] = new Array(stored.length);
    // Consecutive log events are resolved with one read of the whole line range.
    for (let i = 0; i < stored.length; ) {
      const item = stored[i]!;
      if (item.event !== 'log') {
        const data = 'atMs' in item ? statusData(item) : item.data;
        out[i] = { seq: first + i + 1, event: item.event, data } as TaskEvent;
        i++;
        continue;
      }
      let end = i + 1;
      let count = item.count;
      for (let prev = item; end < stored.length; end++) {
        const next = stored[end]!;
        if (next.event !== 'log' || next.from !== prev.from + prev.count) break;
        count += next.count;
        prev = next;
      }
      const { lines } = await this.#log.read(item.from, count);
      for (let j = i, offset = 0; j < end; j++) {
        const log = stored[j] as Extract<StoredEvent, { event: 'log' }>;
        out[j] = {
          seq: first + j + 1,
          event: 'log',
          data: { from: log.from, lines: lines.slice(offset, offset + log.count) },
        };
        offset += log.count;
      }
      i = end;
    }
    return out;
  }

  /**
   * Replays the events after `after`, then yields new ones as they are appended; ends after `done`
   * or when `signal` aborts. Events are fetched in small batches as the consumer pulls, so a follower
   * never buffers more than one batch.
   */
  async *follow(after: number, signal?: AbortSignal): AsyncIterableIterator<TaskEvent> {
    this.#followers++;
    try {
      let cursor = Math.max(0, after);
      while (!signal?.aborted) {
        const batch = await this.read(cursor, FOLLOW_BATCH);
        for (const event of batch) {
          if (signal?.aborted) return;
          yield event;
          cursor = event.seq;
          if (event.event === 'done') return;
        }
        if (batch.length > 0) continue;
        if (this.#done && cursor >= this.#events.length) return;
        // Checked again synchronously inside: an append that landed during the read above is not missed.
        await this.#appendedAfter(cursor, signal);
      }
    } finally {
      this.#followers--;
    }
  }

  #appendedAfter(seq: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#events.length > seq || signal?.aborted) return Promise.resolve();
    this.#waiters ??= new Wakeups();
    return this.#waiters.wait(signal);
  }
}
