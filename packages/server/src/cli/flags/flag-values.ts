import { parseDuration } from '@engineconn/core';
import { InvalidArgumentError } from 'commander';
import { parseIntegerFlag, parseSize } from '../options.js';

/**
 * Commander argParser()s for the parsed flags: a bad value fails the parse with commander's own
 * error, which names the flag and the value (`option '--port <port>' argument 'x' is invalid. …`),
 * before the command does anything. main.ts prints it with EC_CONFIG_INVALID.
 */
function parser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      // Commander has named the value already.
      throw new InvalidArgumentError((err as Error).message.replace(/; got '.*'\.$/s, '.'));
    }
  };
}

/** A whole number in [min, max]. */
export const wholeNumber = (min: number, max?: number) => parser((value) => parseIntegerFlag(value, 'It', min, max));

/**
 * A duration (`500ms`, `10s`, `30m`), checked and kept as written: it becomes an option (or a task
 * property), where it is read as `--conf` would give it.
 */
export const durationText = parser((value) => {
  parseDuration(value, 'It');
  return value;
});

/** A duration in milliseconds. */
export const durationMs = parser((value) => parseDuration(value, 'It'));

/** The longest a Node timer waits (about 24.8 days): above it, setTimeout fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration in milliseconds above 0 that a single timer can wait (at most about 24 days). */
export const positiveDurationMs = parser((value) => {
  const ms = parseDuration(value, 'It');
  if (ms <= 0 || ms > MAX_TIMER_MS) throw new Error(`It must be above 0 and at most 24 days; got '${value}'.`);
  return ms;
});

/** A whole number at least `min`, kept as written (it becomes an option, as `--conf` would give it). */
export const wholeNumberText = (min: number) =>
  parser((value) => {
    parseIntegerFlag(value, 'It', min);
    return value;
  });

/** A size in bytes: `1048576`, `512kb`, `10MiB`. */
export const sizeBytes = parser((value) => parseSize(value, 'It'));
