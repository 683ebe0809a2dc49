import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface WaitForOptions<T> {
  /** What is awaited, as the failure message should name it; the probe's source text by default. */
  what?: string;
  /**
   * How long before giving up. It only bites when the condition never comes, so it is generous: a
   * loaded machine must not turn a slow success into a failure.
   */
  timeoutMs?: number;
  /** The pause between two probes. */
  intervalMs?: number;
  /** When the probed value counts as arrived; truthiness by default. */
  until?: (value: T) => boolean;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
export const DEFAULT_WAIT_INTERVAL_MS = 10;

/** A wait that ran out of time: names what was awaited and the last value the probe returned. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';

  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastValue: unknown,
  ) {
    super(
      `Timed out after ${timeoutMs} ms waiting for ${what}; last value seen: ${inspect(lastValue, { depth: 3, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 500, maxArrayLength: 20 })}`,
    );
  }
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined | 0n>;

/**
 * Probes until the value arrives (truthy, or accepted by `until`) and returns it; after the deadline
 * fails with a WaitTimeoutError. A probe that throws ends the wait with its error: a broken probe
 * must not pass for a slow one. This is how tests wait for a condition that has no event to await.
 */
export function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitForOptions<T> & { until: (value: T) => boolean },
): Promise<T>;
export function waitFor<T>(probe: () => T | Promise<T>, options?: WaitForOptions<T>): Promise<Truthy<T>>;
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitForOptions<T> = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  const arrived = options.until ?? Boolean;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (arrived(value)) return value;
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.what ?? describeProbe(probe), timeoutMs, value);
    // Not unref()ed: while a test awaits this, the timer may be all that keeps the process alive.
    await delay(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

function describeProbe(probe: () => unknown): string {
  const source = probe.toString().replace(/\s+/g, ' ');
  return source.length > 200 ? `${source.slice(0, 200)}…` : source;
}
