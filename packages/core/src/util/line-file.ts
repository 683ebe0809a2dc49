import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 64 * 1024;

/** What the readers need of a file: a FileHandle, or bytes held in memory that read like one. */
export interface ReadHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/**
 * Reads a `\n`-separated UTF-8 file forward from a byte offset, one chunk at a time, never past the
 * `end` the caller gives (the bytes known to be fully written). Memory stays at one chunk plus one
 * partial line, however large the file.
 */
export class LineReader {
  readonly #handle: ReadHandle;
  readonly #buf: Buffer;
  readonly #decoder = new StringDecoder('utf8');
  #position: number;
  #rest = '';

  constructor(handle: ReadHandle, position: number, chunkBytes = CHUNK_BYTES) {
    this.#handle = handle;
    this.#position = position;
    this.#buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** The byte offset the next read starts at. */
  get position(): number {
    return this.#position;
  }

  /** Reads the next chunk below `end`: the lines it completed (maybe none), or null once at `end`. */
  async read(end: number): Promise<string[] | null> {
    if (this.#position >= end) return null;
    const length = Math.min(this.#buf.length, end - this.#position);
    const { bytesRead } = await this.#handle.read(this.#buf, 0, length, this.#position);
    if (bytesRead === 0) return null;
    this.#position += bytesRead;
    const lines = (this.#rest + this.#decoder.write(this.#buf.subarray(0, bytesRead))).split('\n');
    this.#rest = lines.pop() as string;
    return lines;
  }
}

/**
 * Reads `count` lines of `source` (a file path, or a function opening a handle) that follow byte
 * `position`, after skipping `skip` lines, without reading past byte `end`. Fewer lines come back if
 * the source ends first.
 */
export async function readLines(
  source: string | (() => Promise<ReadHandle>),
  position: number,
  end: number,
  skip: number,
  count: number,
): Promise<string[]> {
  const out: string[] = [];
  if (count <= 0) return out;
  const handle = typeof source === 'string' ? await open(source, 'r') : await source();
  try {
    const reader = new LineReader(handle, position);
    let toSkip = skip;
    for (let lines = await reader.read(end); lines !== null; lines = await reader.read(end)) {
      let at = 0;
      if (toSkip > 0) {
        at = Math.min(toSkip, lines.length);
        toSkip -= at;
      }
      for (; at < lines.length && out.length < count; at++) out.push(lines[at] as string);
      if (out.length === count) break;
    }
  } finally {
    await handle.close();
  }
  return out;
}

/**
 * Encodes lines as `\n`-terminated UTF-8 and finds the byte offset of every line whose number
 * (`firstLine + i`) is a multiple of `every`, for a sparse seek index. ASCII text, the common case,
 * needs no per-line byte counting: its character offsets are its byte offsets.
 */
export function encodeLines(
  lines: readonly string[],
  firstLine: number,
  every: number,
): { buf: Buffer; offsets: number[] } {
  const text = `${lines.join('\n')}\n`;
  const buf = Buffer.from(text, 'utf8');
  const ascii = buf.length === text.length;
  const offsets: number[] = [];
  let at = 0;
  let line = 0;
  for (let target = (every - (firstLine % every)) % every; target < lines.length; target += every) {
    for (; line < target; line++) at = ascii ? at + (lines[line] as string).length + 1 : buf.indexOf(10, at) + 1;
    offsets.push(at);
  }
  return { buf, offsets };
}
