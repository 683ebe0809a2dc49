import type { Readable } from 'node:stream';
import { LineBuffer } from '@engineconn/core';

const TAIL_BYTES = 4096;

export interface StreamPumpOptions {
  /** Bytes of this stream kept (logged, and written to the result for stdout); the rest is counted. */
  maxBytes: number;
  onLine(line: string): void;
  /** Receives the decoded text as it arrives; awaited, so the pipe is not read while it writes. */
  onText?(text: string): Promise<void>;
  /** Called once if `onText` fails; the pump then keeps draining without writing. */
  onTextError?(err: unknown): void;
  /** Keeps the last few KiB so `tailLines()` can quote them, even past `maxBytes`. */
  keepTail?: boolean;
  /** Called once when the stream first passes `maxBytes`. */
  onCapReached?(): void;
}

/**
 * Reads one output pipe of a child to its end. Past `maxBytes` it only counts bytes, but keeps
 * reading: a child blocked on a full pipe would never exit and never notice a kill.
 */
export class StreamPump {
  keptBytes = 0;
  cutBytes = 0;
  readonly done: Promise<void>;
  #tail: Buffer = Buffer.alloc(0);
  #tailTruncated = false;
  #writing = true;

  constructor(
    private readonly stream: Readable,
    private readonly options: StreamPumpOptions,
  ) {
    this.done = this.#run();
  }

  /** Stops reading (a process outside our control holds the pipe open). */
  abandon(): void {
    this.stream.destroy();
  }

  /** The last few complete lines the stream carried, for an error message. */
  tailLines(count: number): string[] {
    const lines = new TextDecoder().decode(this.#tail).split('\n');
    if (this.#tailTruncated) lines.shift();
    return lines
      .map((line) => line.replace(/\r$/, ''))
      .filter((line) => line.trim() !== '')
      .slice(-count);
  }

  async #run(): Promise<void> {
    const lines = new LineBuffer();
    try {
      for await (const chunk of this.stream as AsyncIterable<Buffer>) {
        if (this.options.keepTail) this.#keepTail(chunk);
        const room = Math.max(0, this.options.maxBytes - this.keptBytes);
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        if (part.length < chunk.length) {
          if (this.cutBytes === 0) this.options.onCapReached?.();
          this.cutBytes += chunk.length - part.length;
        }
        if (part.length === 0) continue;
        this.keptBytes += part.length;
        const { text, lines: complete } = lines.push(part);
        for (const line of complete) this.options.onLine(line);
        if (text !== '') await this.#write(text);
      }
    } catch {
      // The stream was destroyed by abandon(); what was read so far is still flushed below.
    }
    const { text, lines: rest } = lines.end();
    for (const line of rest) this.options.onLine(line);
    if (text !== '') await this.#write(text);
  }

  async #write(text: string): Promise<void> {
    if (!this.options.onText || !this.#writing) return;
    try {
      await this.options.onText(text);
    } catch (err) {
      this.#writing = false;
      this.options.onTextError?.(err);
    }
  }

  #keepTail(chunk: Buffer): void {
    if (chunk.length >= TAIL_BYTES) {
      this.#tail = Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
      this.#tailTruncated = true;
    } else if (this.#tail.length + chunk.length > TAIL_BYTES) {
      this.#tail = Buffer.concat([this.#tail, chunk]).subarray(-TAIL_BYTES);
      this.#tailTruncated = true;
    } else {
      this.#tail = Buffer.concat([this.#tail, chunk]);
    }
  }
}
