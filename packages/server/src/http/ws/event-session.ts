import {
  type Caller,
  EngineConnError,
  type EngineConnRuntime,
  isTerminalTaskStatus,
  type TaskEvent,
  type TaskView,
} from '@engineconn/core';
import {
  describeMessageError,
  type ErrorCode,
  WS_CLOSE_CODES,
  WsClientMessageSchema,
  type WsErrorMessage,
} from '@engineconn/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { type SlowConsumerLimits, slowConsumerMessage } from '../slow-consumer.js';

export interface EventSessionLimits extends SlowConsumerLimits {
  /** Subscriptions one socket may hold at once. */
  maxSubscriptions: number;
}

interface Subscription {
  readonly controller: AbortController;
  readonly viaWildcard: boolean;
  /** The last seq handed to the socket. */
  lastSent: number;
}

const POLL_MS = 20;

/**
 * One client socket on `GET /api/v1/events`: its subscriptions, each a pump from the task's journal
 * to the socket. Pumps pull from the journal only while the socket's send queue is below the
 * high-water mark, so a slow client costs the EngineConn nothing but its own wait; one that stays
 * congested for `stallTimeoutMs` is told EC_SLOW_CONSUMER and closed with 4008, and resumes by
 * resubscribing `after` the last seq it received.
 */
export class EventSession {
  readonly #subs = new Map<string, Subscription>();
  /** Tasks the client unsubscribed from explicitly; `*` does not bring them back. */
  readonly #excluded = new Set<string>();
  #wildcardOff: (() => void) | null = null;
  #closed = false;
  #congestedSince = 0;
  #drainWaiters: (() => void)[] = [];
  #drainTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly caller: Caller,
    private readonly runtime: EngineConnRuntime,
    private readonly limits: EventSessionLimits,
    private readonly log: FastifyBaseLogger,
    private readonly onCutOff: () => void = () => {},
  ) {}

  onMessage(raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.#closed) return;
    if (isBinary) {
      this.#sendError('EC_BAD_REQUEST', 'Binary messages are not accepted: send JSON text.');
      return;
    }
    const text = Array.isArray(raw)
      ? Buffer.concat(raw).toString('utf8')
      : Buffer.from(raw as ArrayBuffer).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.#sendError('EC_BAD_REQUEST', `The message is not valid JSON: ${text.slice(0, 80)}`);
      return;
    }
    const parsed = WsClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.#sendError('EC_BAD_REQUEST', describeMessageError(parsed.error));
      return;
    }
    const message = parsed.data;
    if (message.type === 'unsubscribe') this.#unsubscribe(message.taskId);
    else if (message.taskId === '*') this.#subscribeAll();
    else this.#subscribe(message.taskId, message.after ?? 0, false);
  }

  /** The socket closed: stop every pump and listener. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wildcardOff?.();
    this.#wildcardOff = null;
    for (const sub of this.#subs.values()) sub.controller.abort();
    this.#subs.clear();
    if (this.#drainTimer) clearInterval(this.#drainTimer);
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  #subscribe(taskId: string, after: number, viaWildcard: boolean): void {
    let view: TaskView;
    try {
      view = this.runtime.getTask(taskId, this.caller);
    } catch (err) {
      if (!viaWildcard) {
        const error = EngineConnError.from(err);
        this.#sendError(error.code, error.message, taskId);
      }
      return;
    }
    const last = view.journal.lastSeq;
    if (after > last) {
      this.#sendError(
        'EC_BAD_REQUEST',
        `'after' ${after} is beyond the last event of task '${taskId}' (seq ${last}); resubscribe with the last seq you received.`,
        taskId,
      );
      return;
    }
    const existing = this.#subs.get(taskId);
    if (!existing && this.#subs.size >= this.limits.maxSubscriptions) {
      this.#sendError(
        'EC_BAD_REQUEST',
        `This socket already follows ${this.#subs.size} tasks, the limit; unsubscribe from finished ones or open another socket.`,
        taskId,
      );
      return;
    }
    // Resubscribing restarts the task's stream from the new `after`: that is how a client resumes.
    existing?.controller.abort();
    this.#excluded.delete(taskId);
    const sub: Subscription = { controller: new AbortController(), viaWildcard, lastSent: after };
    this.#subs.set(taskId, sub);
    void this.#pump(view, sub);
  }

  #subscribeAll(): void {
    if (!this.#wildcardOff) {
      this.#wildcardOff = this.runtime.bus.on('taskStatusChanged', (change) => {
        if (change.from !== 'Inited') return;
        if (!this.caller.admin && change.owner !== this.caller.user) return;
        // The task service registers a task before its first status change, so it is found here.
        if (!this.#subs.has(change.taskId) && !this.#excluded.has(change.taskId)) {
          this.#subscribe(change.taskId, 0, true);
        }
      });
    }
    for (const task of this.runtime.listTasks(this.caller)) {
      if (isTerminalTaskStatus(task.status) || this.#subs.has(task.id) || this.#excluded.has(task.id)) continue;
      this.#subscribe(task.id, 0, true);
    }
  }

  #unsubscribe(taskId: string): void {
    if (taskId === '*') {
      this.#wildcardOff?.();
      this.#wildcardOff = null;
      for (const [id, sub] of this.#subs) {
        if (!sub.viaWildcard) continue;
        sub.controller.abort();
        this.#subs.delete(id);
      }
      return;
    }
    this.#subs.get(taskId)?.controller.abort();
    this.#subs.delete(taskId);
    if (this.#wildcardOff) this.#excluded.add(taskId);
  }

  async #pump(view: TaskView, sub: Subscription): Promise<void> {
    const { signal } = sub.controller;
    try {
      for await (const event of view.journal.follow(sub.lastSent, signal)) {
        if (!(await this.#writable()) || signal.aborted) return;
        this.socket.send(encodeEvent(view.id, event));
        sub.lastSent = event.seq;
        view.touch();
      }
    } catch (err) {
      if (signal.aborted || this.#closed) return;
      this.log.error({ err, taskId: view.id }, 'event socket subscription failed');
      const error = EngineConnError.from(err);
      this.#sendError(error.code, error.message, view.id);
    } finally {
      if (this.#subs.get(view.id) === sub) this.#subs.delete(view.id);
    }
  }

  /** Resolves true when the socket can take more, false once it closed or was cut off as too slow. */
  async #writable(): Promise<boolean> {
    while (!this.#closed && this.socket.bufferedAmount > this.limits.highWaterBytes) {
      if (this.#congestedSince === 0) this.#congestedSince = Date.now();
      if (Date.now() - this.#congestedSince >= this.limits.stallTimeoutMs) {
        this.#cutOff();
        return false;
      }
      await new Promise<void>((resolve) => {
        this.#drainWaiters.push(resolve);
        this.#drainTimer ??= setInterval(() => this.#checkDrain(), POLL_MS).unref();
      });
    }
    return !this.#closed;
  }

  /** ws has no 'drain' event of its own: watch the queue while someone waits for it to shrink. */
  #checkDrain(): void {
    const drained = this.socket.bufferedAmount <= this.limits.highWaterBytes;
    if (drained) this.#congestedSince = 0;
    if (!drained && Date.now() - this.#congestedSince < this.limits.stallTimeoutMs) return;
    if (this.#drainTimer) clearInterval(this.#drainTimer);
    this.#drainTimer = null;
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  #cutOff(): void {
    if (this.#closed) return;
    const queued = [...this.#subs].map(([id, sub]) => `${id} seq ${sub.lastSent}`).join(', ');
    this.log.warn(
      { user: this.caller.user, bufferedAmount: this.socket.bufferedAmount },
      'event socket cut off: slow consumer',
    );
    this.onCutOff();
    this.#sendError(
      'EC_SLOW_CONSUMER',
      slowConsumerMessage(
        this.socket.bufferedAmount,
        Date.now() - this.#congestedSince,
        `reconnect and resubscribe each task with "after" = the last seq you received (queued up to: ${queued || 'nothing'}).`,
      ),
    );
    this.close();
    this.socket.close(WS_CLOSE_CODES.slowConsumer, 'slow consumer');
    // A client that does not read will not answer the close handshake either.
    setTimeout(() => this.socket.terminate(), this.limits.closeGraceMs).unref();
  }

  #sendError(code: ErrorCode, message: string, taskId?: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const error: WsErrorMessage =
      taskId === undefined ? { type: 'error', code, message } : { type: 'error', code, message, taskId };
    this.socket.send(JSON.stringify(error));
  }
}

function encodeEvent(taskId: string, event: TaskEvent): string {
  return JSON.stringify({ type: 'event', taskId, seq: event.seq, event: event.event, data: event.data });
}
