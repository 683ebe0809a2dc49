/**
 * The wait before a report's next attempt, after `failures` failed attempts in a row (1 for the
 * first): a ceiling that doubles from `initialMs` up to `capMs`, with "equal jitter", never shorter
 * than half the ceiling, so retries spread without collapsing to 0. `random` is in [0, 1).
 */
export function backoffDelayMs(failures: number, initialMs: number, capMs: number, random: number): number {
  const ceiling = Math.min(capMs, initialMs * 2 ** (failures - 1));
  return ceiling / 2 + (random * ceiling) / 2;
}
