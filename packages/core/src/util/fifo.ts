/**
 * A first-in first-out queue whose `shift()` does not move the rest: Array#shift on a queue of
 * thousands (the 10,000 finished tasks kept by default) copied them all, once per task. The
 * consumed front is dropped in one copy once it is over half of the array.
 */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, left in the queue; undefined when it is empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Takes the oldest item out; undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head] as T;
    // Cleared, so a consumed item is not held until the next compaction.
    (this.#items as (T | undefined)[])[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
