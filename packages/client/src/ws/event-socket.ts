import { rootCertificates } from 'node:tls';
import type { TaskEvent, WsClientMessage, WsErrorMessage, WsEventMessage, WsServerMessage } from '@engineconn/protocol';
import { statusOf, WS_CLOSE_CODES } from '@engineconn/protocol/constants';
import WebSocket from 'ws';
import { EngineConnClientError } from '../errors/engine-conn-client-error.js';
import type { HttpTransport } from '../http/http-transport.js';
import { backoffDelay } from '../retry/backoff.js';
import { AsyncQueue } from '../util/async-queue.js';
import { EventSubscriptions } from './event-subscriptions.js';

/** What `EventSocket` yields: a task's event, or an error the server reported for a subscription. */
export type EventSocketItem = WsServerMessage;

/** An event of any task, as a multiplexed WebSocket delivers it; checking `event` narrows `data`. */
export type TaskEventMessage = TaskEvent & Pick<WsEventMessage, 'taskId'>;

/** An error the WebSocket server reports; `taskId` when it concerns one subscription. */
export type EventErrorMessage = Omit<WsErrorMessage, 'type'>;

export interface EventSocketOptions {
  signal?: AbortSignal | undefined;
  /** Items buffered for a slow reader before the socket pauses (the server then applies its own limit). */
  highWater?: number;
}

/** The server closes a client that fell too far behind with this code; the socket reconnects and resumes. */
export const SLOW_CONSUMER_CLOSE_CODE = WS_CLOSE_CODES.slowConsumer;

/**
 * One multiplexed WebSocket on `GET /api/v1/events`. It remembers every subscription and the last
 * sequence number seen per task (`EventSubscriptions`); after a drop (network, server restart of the
 * socket, or a slow-consumer cut-off) it reconnects with jittered backoff and resubscribes each
 * unfinished task `after` its last sequence, so the reader sees every event once, in order per task.
 */
export class EventSocket implements AsyncIterable<EventSocketItem> {
  readonly #http: HttpTransport;
  readonly #signal: AbortSignal | undefined;
  readonly #queue: AsyncQueue<EventSocketItem>;
  readonly #subscriptions = new EventSubscriptions();
  #ws: WebSocket | null = null;
  #attempt = 0;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #reconnects = 0;

  constructor(http: HttpTransport, options: EventSocketOptions = {}) {
    this.#http = http;
    this.#signal = options.signal;
    const high = options.highWater ?? 10_000;
    this.#queue = new AsyncQueue<EventSocketItem>(
      { high, low: Math.floor(high / 2), onHigh: () => this.#ws?.pause(), onLow: () => this.#ws?.resume() },
      () => this.close(),
    );
    if (this.#signal?.aborted) {
      this.#queue.fail(this.#signal.reason);
      this.#closed = true;
      return;
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#connect();
  }

  /** How many times the socket reconnected. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Follows one task from `after` (0 = from the start), or with `'*'` all your unfinished and future tasks. */
  subscribe(taskId: string, after = 0): void {
    this.#send(this.#subscriptions.subscribe(taskId, after));
  }

  unsubscribe(taskId: string): void {
    this.#send(this.#subscriptions.unsubscribe(taskId));
  }

  /** Closes the socket for good; the iterator ends. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#ws?.close(1000);
    this.#queue.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<EventSocketItem> {
    return this.#queue;
  }

  #onAbort = (): void => {
    this.#queue.fail(this.#signal?.reason);
    this.close();
  };

  #wsUrl(): string {
    const url = new URL(this.#http.url('/api/v1/events'));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  #send(message: WsClientMessage): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #connect(): void {
    const headers: Record<string, string> = {};
    if (this.#http.token) headers.authorization = `Bearer ${this.#http.token}`;
    const ca = this.#http.ca === undefined ? {} : { ca: [...rootCertificates, this.#http.ca.toString()] };
    const ws = new WebSocket(this.#wsUrl(), { headers, ...ca });
    this.#ws = ws;
    let failure: EngineConnClientError | null = null;
    let answered = false;

    ws.on('open', () => {
      for (const message of this.#subscriptions.resume()) ws.send(JSON.stringify(message));
    });
    ws.on('message', (raw) => this.#onMessage(raw.toString()));
    ws.on('unexpected-response', (_request, response) => {
      // The upgrade was refused with an HTTP answer (401, 403, 404): read the contract's error body.
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        const status = response.statusCode ?? 0;
        failure = EngineConnClientError.fromBody(status, body, `The WebSocket upgrade was answered with ${status}.`);
        ws.terminate();
        this.#onClose(ws, failure);
      });
    });
    ws.on('error', (err) => {
      failure ??= EngineConnClientError.unreachable(this.#http.baseUrl, err);
    });
    ws.on('close', (code, reason) => {
      if (answered) return;
      this.#onClose(
        ws,
        failure ??
          EngineConnClientError.unreachable(
            this.#http.baseUrl,
            new Error(`the event socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`),
          ),
      );
    });
  }

  #onMessage(text: string): void {
    const item = this.#subscriptions.accept(text);
    if (item === null) return;
    if (item.type === 'event') this.#attempt = 0;
    this.#queue.push(item);
  }

  #onClose(ws: WebSocket, failure: EngineConnClientError): void {
    if (this.#ws !== ws) return;
    this.#ws = null;
    if (this.#closed) return;
    if (!this.#subscriptions.unfinished) {
      this.close();
      return;
    }
    if (!failure.transient || this.#attempt >= this.#http.retry.retries) {
      this.#queue.fail(failure);
      this.close();
      return;
    }
    this.#reconnects++;
    this.#reconnectTimer = setTimeout(
      () => {
        this.#reconnectTimer = null;
        if (!this.#closed) this.#connect();
      },
      backoffDelay(this.#attempt++, this.#http.retry),
    );
  }
}

/** The error a per-task reader throws for a server-reported subscription error. */
export function subscriptionError(item: EventErrorMessage): EngineConnClientError {
  return new EngineConnClientError(item.code, statusOf(item.code), item.message);
}
