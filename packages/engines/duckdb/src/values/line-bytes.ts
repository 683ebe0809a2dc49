const ZERO = 0x30;
const MINUS = 0x2d;
const INT32_LIMIT = 2 ** 31;
/**
 * Room a new buffer starts with: below Buffer.poolSize / 2, so it is a slice of Node's shared pool
 * rather than an ArrayBuffer of its own. A trivial query's lines fit; a bulk chunk grows the buffer
 * in a few doublings, once per statement. Starting at 64 KiB made every statement allocate
 * external memory, which V8 counts towards its next full collection: with two per `select 1`, the
 * collector ran more than the statements did.
 */
const INITIAL_CAPACITY = 1024;

/**
 * A growing byte buffer the stored lines of a chunk are written into, reused chunk after chunk: the
 * bytes of a batch are handed to the result writer as a view and overwritten only once its write
 * settled (the statement runner alternates two).
 */
export class LineBytes {
  #buf: Buffer;
  at = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  /** The buffer, with room for `more` bytes past `at` (written through `buf[at++]`). */
  room(more: number): Buffer {
    const need = this.at + more;
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(grown, 0, 0, this.at);
      this.#buf = grown;
    }
    return this.#buf;
  }

  byte(value: number): void {
    this.room(1)[this.at++] = value;
  }

  /** Text known to be ASCII (the digits of a number, a literal). */
  ascii(text: string): void {
    const buf = this.room(text.length);
    this.at += buf.write(text, this.at, 'latin1');
  }

  utf8(text: string): void {
    const buf = this.room(Buffer.byteLength(text, 'utf8'));
    this.at += buf.write(text, this.at, 'utf8');
  }

  /** A safe integer's decimal digits, as `String(value)` prints them. */
  integer(value: number): void {
    let rest = value;
    if (rest < 0) {
      this.byte(MINUS);
      rest = -rest;
    }
    // Below 2^31 the digits come from 32-bit integer arithmetic, about three times faster than
    // dividing doubles, which the rest (up to 2^53) needs.
    const small = rest < INT32_LIMIT;
    let digits = 1;
    for (let t = rest; t >= 10; t = small ? (t / 10) | 0 : Math.floor(t / 10)) digits++;
    const buf = this.room(digits);
    let at = this.at + digits;
    this.at = at;
    if (small) {
      let n = rest | 0;
      do {
        const next = (n / 10) | 0;
        buf[--at] = ZERO + n - next * 10;
        n = next;
      } while (n > 0);
      return;
    }
    do {
      buf[--at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** The bytes written since the last reset, as a view (valid until the next write). */
  view(): Buffer {
    return this.#buf.subarray(0, this.at);
  }

  reset(): void {
    this.at = 0;
  }
}
