/** One dispatched Server-Sent Event (the WHATWG "event stream" interpretation). */
export interface SseMessage {
  /** The last event ID seen on the stream so far (it persists across events, as in the spec). */
  id: string;
  /** `message` when the event had no `event:` field. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

/**
 * An incremental parser for `text/event-stream`. Feed it decoded text in chunks of any size (a line,
 * a CRLF pair or a multi-byte character may be split between chunks); it returns the events completed
 * by each chunk. It follows the WHATWG rules: CRLF, LF and CR all end a line; a leading BOM is dropped;
 * `:` starts a comment; one space after the field's colon is removed; `data:` lines accumulate; a
 * blank line dispatches, and an event with no data is not dispatched; an `id` containing NUL is ignored.
 */
export class SseParser {
  #buffer = '';
  #started = false;
  #pendingCr = false;
  #lastId = '';
  #event = '';
  #data: string[] = [];
  #hasData = false;
  #retry: number | undefined;

  get lastEventId(): string {
    return this.#lastId;
  }

  /** The server's last `retry:` reconnection delay in ms (it applies to the stream, not to one event). */
  get retry(): number | undefined {
    return this.#retry;
  }

  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR ended the previous chunk: an LF opening this one belongs to that same line break.
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(this.#buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === this.#buffer.length) this.#pendingCr = true;
        else if (this.#buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /** The stream ended: an unterminated event is discarded, as the spec requires. */
  end(): void {
    this.#buffer = '';
    this.#reset();
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retry = Number(value);
        break;
      default:
        break;
    }
  }

  #dispatch(out: SseMessage[]): void {
    if (this.#hasData) {
      out.push({ id: this.#lastId, event: this.#event || 'message', data: this.#data.join('\n') });
    }
    this.#reset();
  }

  #reset(): void {
    this.#event = '';
    this.#data = [];
    this.#hasData = false;
  }
}

/**
 * Parses a byte stream (e.g. a fetch response body) into events. Cancelling the returned iterator
 * (breaking out of `for await`) cancels the underlying stream, which closes the connection.
 */
export async function* parseSseStream(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) yield message;
    }
    for (const message of parser.push(decoder.decode())) yield message;
    parser.end();
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
