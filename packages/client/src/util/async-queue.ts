/**
 * A single-consumer queue that turns pushed items into an async iterator. It reports its length
 * crossing a high and a low watermark, so a producer that can pause (a socket) applies back-pressure
 * instead of growing memory without bound.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  #ended = false;
  #error: { value: unknown } | null = null;
  #paused = false;

  constructor(
    private readonly watermarks: { high: number; low: number; onHigh: () => void; onLow: () => void } | null = null,
    private readonly onReturn: () => void = () => {},
  ) {}

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    if (this.#ended || this.#error) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (this.watermarks && !this.#paused && this.length >= this.watermarks.high) {
      this.#paused = true;
      this.watermarks.onHigh();
    }
  }

  /** No more items: the consumer sees the rest, then the end. */
  end(): void {
    if (this.#ended || this.#error) return;
    this.#ended = true;
    this.#settleWaiter();
  }

  /** The consumer sees the items already queued, then this error. */
  fail(error: unknown): void {
    if (this.#ended || this.#error) return;
    this.#error = { value: error };
    this.#settleWaiter();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.length > 0) {
      const value = this.#items[this.#head++] as T;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (this.watermarks && this.#paused && this.length <= this.watermarks.low) {
        this.#paused = false;
        this.watermarks.onLow();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#error) return Promise.reject(this.#error.value);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#items = [];
    this.#head = 0;
    this.#ended = true;
    this.#settleWaiter();
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = null;
    if (this.#error) waiter.reject(this.#error.value);
    else waiter.resolve({ value: undefined, done: true });
  }
}
