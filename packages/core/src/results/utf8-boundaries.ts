// Where a TEXT or HTML page may end: UTF-8 character boundaries in stored bytes.

/** True for a UTF-8 continuation byte (10xxxxxx): not where a character starts. */
export const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;

/** The length of the UTF-8 sequence a lead byte starts (1 for a stray byte, decoded as U+FFFD). */
export function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead < 0xf8) return 4;
  if (lead >= 0xe0) return lead < 0xf0 ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

/**
 * How many bytes of `buf` make whole characters: the page ends before a character whose bytes are
 * not all there (the next page starts with it).
 */
export function wholeCharacters(buf: Buffer): number {
  let start = buf.length;
  // A sequence is at most 4 bytes: look back at most 3 bytes for the last lead byte.
  for (let back = 1; back <= Math.min(4, buf.length); back++) {
    const byte = buf[buf.length - back] as number;
    if (!isContinuation(byte)) {
      start = buf.length - back;
      return sequenceLength(byte) > back ? start : buf.length;
    }
  }
  return start;
}
