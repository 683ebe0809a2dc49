import { backoffDelay, type RetryOptions } from '@engineconn/client/browser';
import type { EventSocketItem, TaskEventMessage } from './shared/wire-types.js';

/** A console never gives up on its EngineConn; full jitter, so many consoles do not return at once after an outage. */
const RECONNECT: Required<RetryOptions> = { retries: Number.POSITIVE_INFINITY, minDelayMs: 250, maxDelayMs: 10_000 };

export interface TaskEventSocketHandlers {
  /** An event of the followed task, each once and in order, also across reconnects. */
  onEvent(event: TaskEventMessage): void;
  /** An error the server reported (a slow-consumer cut-off is not one: the reconnect resumes). */
  onError(code: string, message: string): void;
  /** The socket opened, or closed and will reconnect. */
  onConnection(open: boolean): void;
}

/**
 * The console's WebSocket on `GET /api/v1/events`, following one task at a time (the browser's own
 * WebSocket: the SDK's EventSocket runs on `ws` and node:tls). After a drop it reconnects with
 * backoff and resubscribes after the last sequence number it saw, so nothing is shown twice or lost.
 */
export class TaskEventSocket {
  readonly #token: () => string;
  readonly #handlers: TaskEventSocketHandlers;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #followed: { taskId: string; last: number; done: boolean } | null = null;

  constructor(token: () => string, handlers: TaskEventSocketHandlers) {
    this.#token = token;
    this.#handlers = handlers;
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Opens a fresh socket (with the current token), dropping the one before. */
  connect(): void {
    clearTimeout(this.#timer);
    const old = this.#ws;
    this.#ws = null;
    old?.close();
    const url = new URL('/api/v1/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = this.#token();
    if (token) url.searchParams.set('token', token);
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      const followed = this.#followed;
      if (followed && !followed.done) this.#send({ type: 'subscribe', taskId: followed.taskId, after: followed.last });
      this.#handlers.onConnection(true);
    };
    ws.onmessage = (message: MessageEvent<string>) => this.#onMessage(message.data);
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#handlers.onConnection(false);
      this.#timer = setTimeout(() => this.connect(), backoffDelay(this.#attempt++, RECONNECT));
    };
  }

  /** Follows this task's events from its first, instead of the task followed so far. */
  follow(taskId: string): void {
    if (this.#followed && this.#followed.taskId !== taskId) {
      this.#send({ type: 'unsubscribe', taskId: this.#followed.taskId });
    }
    this.#followed = { taskId, last: 0, done: false };
    this.#send({ type: 'subscribe', taskId });
  }

  #send(message: { type: 'subscribe' | 'unsubscribe'; taskId: string; after?: number }): void {
    if (this.open) this.#ws?.send(JSON.stringify(message));
  }

  #onMessage(text: string): void {
    let item: EventSocketItem;
    try {
      item = JSON.parse(text) as EventSocketItem;
    } catch {
      return;
    }
    if (item.type === 'error') {
      if (item.code !== 'EC_SLOW_CONSUMER') this.#handlers.onError(item.code, item.message);
      return;
    }
    const followed = this.#followed;
    if (item.type !== 'event' || item.taskId !== followed?.taskId || item.seq <= followed.last) return;
    followed.last = item.seq;
    if (item.event === 'done') followed.done = true;
    const { type: _, ...event } = item;
    this.#handlers.onEvent(event);
  }
}
