import { backoffDelay, EventSubscriptions, type RetryOptions } from '@engineconn/client/browser';
import type { ErrorCode, WsClientMessage, WsEventMessage } from '@engineconn/protocol';

/** A console never gives up on its EngineConn; full jitter, so many consoles do not return at once after an outage. */
const RECONNECT: Required<RetryOptions> = { retries: Number.POSITIVE_INFINITY, minDelayMs: 250, maxDelayMs: 10_000 };

export interface TaskEventSocketHandlers {
  /** An event of the followed task, each once and in order, also across reconnects. */
  onEvent(event: WsEventMessage): void;
  /** An error the server reported (a slow-consumer cut-off is not one: the reconnect resumes). */
  onError(code: ErrorCode, message: string): void;
  /** The socket opened, or closed and will reconnect. */
  onConnection(open: boolean): void;
}

/**
 * The console's WebSocket on `GET /api/v1/events`, following one task at a time. The SDK's
 * EventSocket runs on `ws` and node:tls, so the connection is the browser's own WebSocket; what to
 * resubscribe after a drop and which events to show is the SDK's `EventSubscriptions`, so after a
 * reconnect (with backoff) the task resumes after the last event seen, nothing shown twice or lost.
 */
export class TaskEventSocket {
  readonly #token: () => string;
  readonly #handlers: TaskEventSocketHandlers;
  readonly #subscriptions = new EventSubscriptions();
  #followed: string | null = null;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

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
      for (const message of this.#subscriptions.resume()) this.#send(message);
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
    if (this.#followed !== null && this.#followed !== taskId) {
      this.#send(this.#subscriptions.unsubscribe(this.#followed));
    }
    this.#followed = taskId;
    this.#send(this.#subscriptions.subscribe(taskId));
  }

  #send(message: WsClientMessage): void {
    if (this.open) this.#ws?.send(JSON.stringify(message));
  }

  #onMessage(text: string): void {
    const item = this.#subscriptions.accept(text);
    if (item?.type === 'event') this.#handlers.onEvent(item);
    else if (item?.type === 'error') this.#handlers.onError(item.code, item.message);
  }
}
