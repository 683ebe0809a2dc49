import type { Readable } from 'node:stream';
import { LineBuffer } from '@engineconn/core';

const RECENT_LINES = 20;

interface Sink {
  lines: LineBuffer;
  onLine(line: string): void;
  reached(): void;
}

/**
 * One of the interpreter's output pipes (fd 1 or fd 2). Output is attributed to the task attached
 * when it arrives; the driver ends each task by writing `marker`, which closes the task's share.
 * Output with no task attached (a background thread between tasks, start-up errors) goes to
 * `onStrayLine` and is remembered for error messages.
 */
export class SyncChannel {
  readonly ended: Promise<void>;
  readonly recentStrayLines: string[] = [];
  #pending: Buffer = Buffer.alloc(0);
  #sink: Sink | undefined;
  readonly #stray = new LineBuffer();

  constructor(
    private readonly stream: Readable,
    private readonly marker: Buffer,
    private readonly onStrayLine: (line: string) => void,
  ) {
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.ended = new Promise((resolve) => {
      stream.once('close', () => {
        this.#deliver(this.#pending);
        this.#pending = Buffer.alloc(0);
        this.#closeSink();
        for (const line of this.#stray.end().lines) this.#strayLine(line);
        resolve();
      });
    });
  }

  /** Sends what arrives from now on to `onLine`; resolves when the task's marker (or the end) is read. */
  attach(onLine: (line: string) => void): Promise<void> {
    this.#closeSink();
    return new Promise((reached) => {
      this.#sink = { lines: new LineBuffer(), onLine, reached };
    });
  }

  /** Stops reading a pipe that someone outside our control keeps open. */
  abandon(): void {
    this.stream.destroy();
  }

  #receive(chunk: Buffer): void {
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (let at = data.indexOf(this.marker); at >= 0; at = data.indexOf(this.marker)) {
      this.#deliver(data.subarray(0, at));
      this.#closeSink();
      data = data.subarray(at + this.marker.length);
    }
    const hold = this.#partialMarkerAtEnd(data);
    this.#deliver(data.subarray(0, data.length - hold));
    this.#pending = Buffer.from(data.subarray(data.length - hold));
  }

  /** How many trailing bytes could be the start of a marker split across chunks. */
  #partialMarkerAtEnd(data: Buffer): number {
    for (let k = Math.min(data.length, this.marker.length - 1); k > 0; k--) {
      if (data.subarray(data.length - k).equals(this.marker.subarray(0, k))) return k;
    }
    return 0;
  }

  #deliver(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.#sink) {
      for (const line of this.#sink.lines.push(bytes).lines) this.#sink.onLine(line);
    } else {
      for (const line of this.#stray.push(bytes).lines) this.#strayLine(line);
    }
  }

  #closeSink(): void {
    const sink = this.#sink;
    if (!sink) return;
    this.#sink = undefined;
    for (const line of sink.lines.end().lines) sink.onLine(line);
    sink.reached();
  }

  #strayLine(line: string): void {
    this.recentStrayLines.push(line);
    if (this.recentStrayLines.length > RECENT_LINES) this.recentStrayLines.shift();
    this.onStrayLine(line);
  }
}
