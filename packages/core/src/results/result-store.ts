import { type FileHandle, open } from 'node:fs/promises';
import { EngineConnError } from '@engineconn/protocol/constants';
import type { ReadHandle } from '../util/line-file.js';
import type { ResultMemory } from './result-memory.js';

const MIN_CAPACITY = 256;
/** How long a set's kept read handle stays open after its last page read. */
export const KEPT_HANDLE_IDLE_MS = 5000;

async function writeAll(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buf.length; ) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

async function readFully(handle: FileHandle, buffer: Buffer, offset: number, length: number, position: number) {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * The bytes of one result set: in memory while the set is small and the shared budget allows,
 * else in its file, which is created only then (spilling what memory held first). Appends are
 * serialised by the caller. Readers get a handle that follows the set from memory to the file if
 * it spills while they read: the switch happens only once the file holds every byte. Page reads
 * (`readAt`) share one read handle on the file: a caller walking a large set page by page costs one
 * read per page, not an open, a read and a close. The handle is closed once no page was read for
 * `keptHandleIdleMs` (so many retained sets read once hold no descriptors) and when the set is
 * released.
 */
export class ResultStore {
  readonly file: string;
  readonly #memory: ResultMemory;
  /** Makes the set's file when it outgrows memory; dropped by seal(), after which nothing is appended. */
  #openFile: (() => Promise<FileHandle>) | null;
  #buf: Buffer | null = null;
  #reserved = 0;
  #size = 0;
  #handle: FileHandle | null = null;
  #spilled = false;
  #pageHandle: Promise<FileHandle> | null = null;
  #released = false;
  readonly #keptHandleIdleMs: number;
  /** Closes the kept handle once no page was read for a while; re-armed per read with refresh(). */
  #idle: NodeJS.Timeout | null = null;

  constructor(
    file: string,
    openFile: () => Promise<FileHandle>,
    memory: ResultMemory,
    keptHandleIdleMs: number = KEPT_HANDLE_IDLE_MS,
  ) {
    this.#keptHandleIdleMs = keptHandleIdleMs;
    this.file = file;
    this.#openFile = openFile;
    this.#memory = memory;
  }

  /** True while the set lives in memory only (no file exists). */
  get inMemory(): boolean {
    return !this.#spilled;
  }

  /** The in-memory bytes stored so far, or null once the set is in its file. */
  memoryBytes(): Buffer | null {
    return this.#spilled ? null : (this.#buf?.subarray(0, this.#size) ?? Buffer.alloc(0));
  }

  /** Appends `chunk` in memory, synchronously, if it fits there; false if it must go to the file. */
  appendInMemory(chunk: Buffer): boolean {
    if (this.#spilled || !this.#fitsInMemory(chunk.length)) return false;
    chunk.copy(this.#buf as Buffer, this.#size);
    this.#size += chunk.length;
    return true;
  }

  async append(chunk: Buffer): Promise<void> {
    if (this.appendInMemory(chunk)) return;
    if (!this.#spilled) await this.#spill();
    await writeAll(this.#handle as FileHandle, chunk, this.#size);
    this.#size += chunk.length;
  }

  /** A handle reading the stored bytes, wherever they are now or move to. */
  openRead(): Promise<ReadHandle> {
    if (this.#spilled) return open(this.file, 'r');
    return Promise.resolve(new StoreReadHandle(this));
  }

  /**
   * Copies up to `length` stored bytes from `position` into `buffer` at `offset`; returns how many
   * there were. Reads at most what the caller knows is committed.
   */
  async readAt(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const memory = this.memoryBytes();
    if (memory) return memory.copy(buffer, offset, position, Math.min(memory.length, position + length));
    if (this.#released) return this.#readOnce(buffer, offset, length, position);
    this.#pageHandle ??= open(this.file, 'r');
    const opening = this.#pageHandle;
    if (this.#idle) this.#idle.refresh();
    else {
      this.#idle = setTimeout(() => this.#closePageHandle(), this.#keptHandleIdleMs);
      this.#idle.unref();
    }
    try {
      return await readFully(await opening, buffer, offset, length, position);
    } catch (err) {
      // The kept handle was closed under this read (idle, or released): read on one of its own.
      if (this.#pageHandle !== opening) return this.#readOnce(buffer, offset, length, position);
      // A failed open or read is not kept: the next read opens again.
      this.#pageHandle = null;
      throw err;
    }
  }

  /** A read on a handle of its own: the set is no longer served, so no handle is kept for it. */
  async #readOnce(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const handle = await open(this.file, 'r');
    try {
      return await readFully(handle, buffer, offset, length, position);
    } finally {
      await handle.close();
    }
  }

  /** True while a file handle is open for writing: only then has close() anything to wait for. */
  get writing(): boolean {
    return this.#handle !== null;
  }

  /**
   * No byte is appended after this (the set is complete): the function that would make its file is
   * dropped, so a finished set kept for its task's retention does not keep it (a closure over the
   * task's results).
   */
  seal(): void {
    this.#openFile = null;
  }

  /** Releases the file (memory stays readable). Idempotent. */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
  }

  /** Gives the memory and the kept read handle back: the set is no longer served. Idempotent. */
  release(): void {
    this.#giveMemory();
    this.#released = true;
    this.#closePageHandle();
  }

  #closePageHandle(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    const kept = this.#pageHandle;
    this.#pageHandle = null;
    // FileHandle.close waits for reads in flight on it; a handle that never opened has nothing to
    // close, and a close that fails loses nothing (no bytes were written on it): neither may reach
    // the process as an unhandled rejection.
    void kept?.then((handle) => handle.close()).catch(() => {});
  }

  #fitsInMemory(extra: number): boolean {
    const need = this.#size + extra;
    if (need > this.#memory.perSetBytes) return false;
    if (this.#buf && need <= this.#buf.length) return true;
    const capacity = Math.min(this.#memory.perSetBytes, Math.max(MIN_CAPACITY, need, (this.#buf?.length ?? 0) * 2));
    if (!this.#memory.tryTake(capacity - this.#reserved)) return false;
    const next = Buffer.allocUnsafe(capacity);
    this.#buf?.copy(next, 0, 0, this.#size);
    this.#buf = next;
    this.#reserved = capacity;
    return true;
  }

  async #spill(): Promise<void> {
    if (!this.#openFile)
      throw new EngineConnError('EC_INTERNAL', `Result file ${this.file}: appended after the set was complete.`);
    const handle = await this.#openFile();
    this.#handle = handle;
    if (this.#size > 0) await writeAll(handle, (this.#buf as Buffer).subarray(0, this.#size), 0);
    // Only now does the file hold every byte: readers switch to it from here on.
    this.#spilled = true;
    this.#buf = null;
    this.#giveMemory();
  }

  #giveMemory(): void {
    this.#memory.give(this.#reserved);
    this.#reserved = 0;
  }
}

/** Reads a store from memory, or from its file once it has spilled. */
class StoreReadHandle implements ReadHandle {
  readonly #store: ResultStore;
  #file: FileHandle | null = null;

  constructor(store: ResultStore) {
    this.#store = store;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const memory = this.#store.memoryBytes();
    if (memory) {
      const bytesRead = Math.max(0, Math.min(length, memory.length - position));
      if (bytesRead > 0) memory.copy(buffer, offset, position, position + bytesRead);
      return { bytesRead };
    }
    this.#file ??= await open(this.#store.file, 'r');
    return this.#file.read(buffer, offset, length, position);
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    await file?.close();
  }
}
