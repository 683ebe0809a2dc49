export type Listener<T> = (payload: T) => void;

export type ListenerErrorHandler = (event: string, err: unknown) => void;

/**
 * Synchronous listener bus: listeners run inline, in registration order, when `emit` is called. A
 * listener that throws is reported to `onError` and never breaks the emitter or later listeners.
 * Use it for bookkeeping that must be consistent with the emitting code (journals, counters).
 */
export class SyncListenerBus<E extends object> {
  #listeners = new Map<keyof E, Listener<never>[]>();

  constructor(private readonly onError: ListenerErrorHandler = () => {}) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener as Listener<never>);
    this.#listeners.set(event, list);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const at = list.indexOf(listener as Listener<never>);
    if (at >= 0) list.splice(at, 1);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return;
    for (const listener of list.slice()) {
      try {
        (listener as Listener<E[K]>)(payload);
      } catch (err) {
        this.onError(String(event), err);
      }
    }
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }
}
