/** Longest partial line kept while waiting for its newline; longer ones are logged in pieces. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns a byte stream into log lines: UTF-8 decoding with U+FFFD for invalid bytes (a multi-byte
 * character split across chunks survives), partial lines carried across chunks, `\r\n` accepted.
 * A line that never ends is cut at MAX_LINE_CHARS so one endless line cannot grow memory.
 */
export class LineBuffer {
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  #partial = '';

  /** Decodes `chunk` and returns the text it held (for a result) and the lines it completed. */
  push(chunk: Uint8Array): { text: string; lines: string[] } {
    const text = this.#decoder.decode(chunk, { stream: true });
    return { text, lines: this.#split(text) };
  }

  /** Ends the stream: flushes an incomplete character (as U+FFFD) and the last unterminated line. */
  end(): { text: string; lines: string[] } {
    const text = this.#decoder.decode();
    const lines = this.#split(text);
    if (this.#partial !== '') lines.push(stripCr(this.#partial));
    this.#partial = '';
    return { text, lines };
  }

  #split(text: string): string[] {
    if (text === '') return [];
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    const lines = parts.map(stripCr);
    while (this.#partial.length > MAX_LINE_CHARS) {
      lines.push(this.#partial.slice(0, MAX_LINE_CHARS));
      this.#partial = this.#partial.slice(MAX_LINE_CHARS);
    }
    return lines;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
