/**
 * Scalar cells by the rules of docs/api.md, for engines that turn their values into cells one by one:
 * each returns what JSON carries exactly (a number, or a string where a number would lose something).
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;
/** Integers of at most this many digits are always within ±(2^53 − 1). */
const SAFE_DIGITS = 15;

/** An integer: a number within ±(2^53 − 1), else its decimal digits as a string. */
export function integerCell(value: bigint | number | string): number | string {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
  const digits = value.startsWith('-') ? value.length - 1 : value.length;
  if (digits <= SAFE_DIGITS) return Number(value);
  return integerCell(BigInt(value));
}

/** A float: a number, except `NaN`, `Infinity`, `-Infinity` and `-0`, which JSON has no number for. */
export function floatCell(value: number): number | string {
  if (value === 0) return 1 / value < 0 ? '-0' : 0;
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * A 32-bit float (held in a double): the shortest decimal that reads back as the same float, as the
 * engines print it (`0.1`, not the double `0.10000000149011612`), so a FLOAT column reads the same
 * from every engine and still rounds (`Math.fround`) to its exact bits.
 */
export function float32Cell(value: number): number | string {
  if (value === 0 || !Number.isFinite(value)) return floatCell(value);
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  return Number(value.toPrecision(9));
}

/** Bytes as base64. */
export function bytesCell(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
