/** How the client retries idempotent requests and reconnects event streams. */
export interface RetryOptions {
  /** Attempts after the first one before giving up; reset whenever a stream delivers an event. */
  retries?: number;
  /** The first delay's upper bound, ms. */
  minDelayMs?: number;
  /** The cap on any delay, ms. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 8, minDelayMs: 100, maxDelayMs: 5000 };

/**
 * "Full jitter" exponential backoff: a uniform delay in [0, min(max, min·2^attempt)], so clients
 * that lost the same server at the same moment do not all come back at once.
 */
export function backoffDelay(
  attempt: number,
  retry: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. The timer stays
 * referenced on purpose: a client waiting to reconnect is doing its work, and must not let the process
 * exit under it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
