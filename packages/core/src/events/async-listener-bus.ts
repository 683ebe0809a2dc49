import type { Listener, ListenerErrorHandler } from './listener-bus.js';

export interface AsyncBusStats {
  queued: number;
  delivered: number;
  dropped: number;
  failed: number;
}

type AsyncListener<T> = (payload: T) => void | Promise<void>;

/**
 * Asynchronous listener bus: `emit` only enqueues, and listeners run later, one event at a time, off
 * the emitter's call stack. The queue is bounded: when it is full the event is dropped and counted in
 * `stats.dropped` (never silently), so a slow or stuck listener cannot stall task execution or grow
 * memory without bound. A listener that throws or rejects is counted in `stats.failed`.
 */
export class AsyncListenerBus<E extends object> {
  #listeners = new Map<keyof E, AsyncListener<never>[]>();
  #queue: { event: keyof E; payload: unknown }[] = [];
  #head = 0;
  #draining: Promise<void> | null = null;
  #idleWaiters: (() => void)[] = [];
  #closed = false;
  readonly stats: AsyncBusStats = { queued: 0, delivered: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly capacity = 10_000,
    private readonly onError: ListenerErrorHandler = () => {},
  ) {}

  on<K extends keyof E>(event: K, listener: AsyncListener<E[K]> | Listener<E[K]>): () => void {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener as AsyncListener<never>);
    this.#listeners.set(event, list);
    return () => {
      const current = this.#listeners.get(event);
      if (current)
        this.#listeners.set(
          event,
          current.filter((l) => l !== listener),
        );
    };
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    if (this.#closed || (this.#listeners.get(event)?.length ?? 0) === 0) return;
    if (this.#queue.length - this.#head >= this.capacity) {
      this.stats.dropped++;
      return;
    }
    this.#queue.push({ event, payload });
    this.stats.queued = this.#queue.length - this.#head;
    if (!this.#draining) this.#draining = this.#drain();
  }

  /** Resolves once every event enqueued so far has been delivered. */
  async idle(): Promise<void> {
    if (!this.#draining) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops accepting events; resolves after the queued ones are delivered. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  async #drain(): Promise<void> {
    // Yield first so the emitter's synchronous work finishes before any listener runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#head < this.#queue.length) {
      const item = this.#queue[this.#head++] as { event: keyof E; payload: unknown };
      this.stats.queued = this.#queue.length - this.#head;
      for (const listener of (this.#listeners.get(item.event) ?? []).slice()) {
        try {
          await (listener as AsyncListener<unknown>)(item.payload);
        } catch (err) {
          this.stats.failed++;
          this.onError(String(item.event), err);
        }
      }
      this.stats.delivered++;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    }
    this.#queue = [];
    this.#head = 0;
    this.stats.queued = 0;
    this.#draining = null;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
