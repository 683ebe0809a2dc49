import { BadRequestError, ConfigInvalidError } from '../errors/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The longest duration any option, flag or task property accepts: 365 days. Timers for longer than
 * Node's own limit (about 24.8 days) are chained (see `setLongTimeout`), so everything up to this
 * really waits; anything longer is refused instead of silently becoming 1 ms.
 */
export const MAX_DURATION_MS = 365 * UNITS.d!;

export interface DurationOptions {
  /** Refuse values above this many milliseconds; default MAX_DURATION_MS. */
  max?: number;
  /** Name the maximum in the message, e.g. `ec.lockMaxTimeout`. */
  maxName?: string;
  /** A caller's request (EC_BAD_REQUEST) rather than the EngineConn's configuration (EC_CONFIG_INVALID). */
  request?: boolean;
}

/** Writes `ms` the way a user would, e.g. `365d`, `1h`, `1500ms`. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The one duration type of the EngineConn: parses `500ms`, `10s`, `30m`, `2h`, `1d` or a bare number
 * of milliseconds, from 0 to a maximum (default MAX_DURATION_MS). A bad value is EC_CONFIG_INVALID
 * (or EC_BAD_REQUEST for a request) naming `what`.
 */
export function parseDuration(value: string | number, what = 'duration', opts: DurationOptions = {}): number {
  const fail = (message: string) => (opts.request ? new BadRequestError(message) : new ConfigInvalidError(message));
  let ms: number | undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) ms = Math.round(value);
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
    if (match) ms = Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
  }
  if (ms === undefined) {
    throw fail(`${what} must be a duration like 500ms, 10s, 30m or 2h; got '${String(value)}'.`);
  }
  const max = opts.max ?? MAX_DURATION_MS;
  if (ms > max) {
    const limit = opts.maxName ? `${opts.maxName} (${formatDuration(max)})` : formatDuration(max);
    throw fail(`${what} must be at most ${limit}; got '${String(value)}'.`);
  }
  return ms;
}
