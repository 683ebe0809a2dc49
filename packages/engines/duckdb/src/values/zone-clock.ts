const HOUR_MS = 3_600_000;
/** The instants a JS Date can hold; DuckDB's go further, where an offset no longer changes anyway. */
const MAX_MS = 8.64e15;
/** Hours whose offset is remembered; past this many the memory starts over. */
const MAX_CACHED_HOURS = 8192;

/**
 * The names IANA's database gives UTC (links to Etc/UTC or Etc/GMT, whose offset has always been
 * zero), lower-cased: zone names are matched case-insensitively, as Intl matches them. DuckDB reports
 * the machine's zone, `Etc/UTC` on most servers.
 */
const UTC_NAMES = new Set(
  [
    'UTC',
    'Etc/UTC',
    'UCT',
    'Etc/UCT',
    'Universal',
    'Etc/Universal',
    'Zulu',
    'Etc/Zulu',
    'GMT',
    'Etc/GMT',
    'GMT0',
    'Etc/GMT0',
    'GMT+0',
    'Etc/GMT+0',
    'GMT-0',
    'Etc/GMT-0',
    'Greenwich',
    'Etc/Greenwich',
  ].map((name) => name.toLowerCase()),
);

/**
 * UTC offsets of one IANA time zone (DuckDB's `TimeZone` setting), from the ICU data Node ships, as
 * DuckDB takes them from its own ICU. Asking Intl costs microseconds, so the offset of each hour is
 * remembered when the hour has no transition in it (the same offset at its start and its end).
 *
 * UTC under any of its names needs no Intl at all: the first Intl object a process makes loads ICU's
 * data, 25-60 ms of the main thread here, which an EngineConn on a UTC machine never has to pay.
 */
export class ZoneClock {
  readonly timeZone: string;
  /** Null for UTC under one of its names: the offset is zero at every instant. */
  readonly #format: Intl.DateTimeFormat | null;
  readonly #hours = new Map<number, number>();

  private constructor(timeZone: string, format: Intl.DateTimeFormat | null) {
    this.timeZone = timeZone;
    this.#format = format;
  }

  /** The clock of `timeZone`, or null when Node's ICU does not know the zone. */
  static of(timeZone: string): ZoneClock | null {
    if (UTC_NAMES.has(timeZone.toLowerCase())) return new ZoneClock(timeZone, null);
    try {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      return new ZoneClock(timeZone, format);
    } catch {
      return null;
    }
  }

  /** The zone's offset from UTC, in whole seconds, at `epochMs`. */
  offsetSeconds(epochMs: number): number {
    const format = this.#format;
    if (!format) return 0;
    const ms = Math.min(MAX_MS, Math.max(-MAX_MS, epochMs));
    const hour = Math.floor(ms / HOUR_MS);
    const known = this.#hours.get(hour);
    if (known !== undefined) return known;
    const start = exactOffset(format, hour * HOUR_MS);
    const end = exactOffset(format, Math.min(MAX_MS, (hour + 1) * HOUR_MS - 1000));
    if (start !== end) return exactOffset(format, ms);
    if (this.#hours.size >= MAX_CACHED_HOURS) this.#hours.clear();
    this.#hours.set(hour, start);
    return start;
  }
}

/** The offset at `ms` (to the second), from the wall time `format` (in the zone) gives for it. */
function exactOffset(format: Intl.DateTimeFormat, ms: number): number {
  const second = Math.floor(ms / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let sec = 0;
  let bc = false;
  for (const part of format.formatToParts(second)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        sec = Number(part.value);
        break;
      case 'era':
        bc = part.value === 'BC';
        break;
    }
  }
  const local = new Date(0);
  local.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
  local.setUTCHours(hour, minute, sec, 0);
  return Math.round((local.getTime() - second) / 1000);
}
