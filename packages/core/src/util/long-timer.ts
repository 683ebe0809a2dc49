/** The longest delay a Node timer holds; a longer one fires after 1 ms (with only a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer that may be longer than MAX_TIMER_MS. Never keeps the process alive. */
export interface LongTimer {
  /** Stops it; idempotent. */
  clear(): void;
  /** Starts the full delay again from now (a timeout that had fired is armed again). */
  refresh(): void;
}

class ChainedTimer implements LongTimer {
  readonly #fn: () => void;
  readonly #ms: number;
  readonly #repeat: boolean;
  #deadline = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(fn: () => void, ms: number, repeat: boolean) {
    this.#fn = fn;
    // Node turns a delay below 1 into 1; an interval of 0 would spin.
    this.#ms = Math.max(1, Math.round(ms));
    this.#repeat = repeat;
    this.refresh();
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  refresh(): void {
    this.#deadline = Date.now() + this.#ms;
    // An armed Node timer fires no later than the new deadline and re-arms for what is left (see
    // #fire), so a refresh only moves the deadline: the idle clock is refreshed several times per
    // task, and re-arming a Node timer each time was a clearTimeout and a setTimeout per refresh.
    if (this.#timer === null) this.#arm(this.#ms);
  }

  #arm(delay: number): void {
    this.clear();
    this.#timer = setTimeout(() => this.#fire(), Math.min(delay, MAX_TIMER_MS));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = null;
    const left = this.#deadline - Date.now();
    // A delay longer than one Node timer is covered by a chain of them.
    if (left > 0) {
      this.#arm(left);
      return;
    }
    if (this.#repeat) this.refresh();
    this.#fn();
  }
}

/** setTimeout for any delay up to MAX_DURATION_MS: longer than Node's limit it is chained. Unref'd. */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  return new ChainedTimer(fn, ms, false);
}

/** setInterval for any period: a 30-day heartbeat comes every 30 days, not every millisecond. Unref'd. */
export function setLongInterval(fn: () => void, ms: number): LongTimer {
  return new ChainedTimer(fn, ms, true);
}
