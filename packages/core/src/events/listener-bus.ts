export type Listener<T> = (payload: T) => void;

export type ListenerErrorHandler = (event: string, err: unknown) => void;

/**
 * Synchronous listener bus: listeners run inline, in registration order, when `emit` is called. A
 * listener that throws is reported to `onError` and never breaks the emitter or later listeners.
 * Use it for bookkeeping that must be consistent with the emitting code (journals, counters).
 */
export class SyncListenerBus<E extends object> {
  /**
   * Each event's listeners, replaced (never changed in place) when one is added or removed: an emit
   * iterates the array it read, so a listener that unsubscribes during an emit does not disturb it,
   * and no emit copies the array (several emits per task).
   */
  #listeners = new Map<keyof E, readonly Listener<never>[]>();

  constructor(private readonly onError: ListenerErrorHandler = () => {}) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener as Listener<never>]);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const at = list.indexOf(listener as Listener<never>);
    if (at >= 0) this.#listeners.set(event, [...list.slice(0, at), ...list.slice(at + 1)]);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return;
    for (const listener of list) {
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
