/** The last second formatted, as its ISO-8601 text up to the milliseconds: `YYYY-MM-DDTHH:MM:SS.`. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** Timestamps Date formats as `YYYY-…`: from year 0000 to year 9999. */
const FOUR_DIGIT_YEARS = { from: -62_167_219_200_000, to: 253_402_300_800_000 };

/**
 * `new Date(ms).toISOString()`, made from the text of the last second formatted: a task's
 * timestamps fall in the same second as many others', and a Date's ISO formatting took about 1 µs
 * each, several times per task (its status events and its info).
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < FOUR_DIGIT_YEARS.from || ms >= FOUR_DIGIT_YEARS.to) {
    return new Date(ms).toISOString();
  }
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
