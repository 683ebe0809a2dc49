/**
 * How many bytes of result sets may live in memory instead of files. A set stays in memory while it
 * is at most `perSetBytes` and the shared budget has room; past either it moves to its file and
 * gives its bytes back. Trivial results (a `select 1`, a Python `1+1`) then cost no file at all:
 * creating, writing, closing and re-reading one costs about 1 ms of CPU per task on a virtualised
 * disk, more than the rest of the task's path through the EngineConn.
 */
export class ResultMemory {
  #used = 0;

  constructor(
    /** Bytes of all in-memory sets together. */
    readonly totalBytes: number,
    /** Bytes of one in-memory set. */
    readonly perSetBytes: number,
  ) {}

  get used(): number {
    return this.#used;
  }

  /** Reserves `bytes` if the budget has room. */
  tryTake(bytes: number): boolean {
    if (this.#used + bytes > this.totalBytes) return false;
    this.#used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** The process-wide default: 64 KiB per set, 64 MiB in all. */
export const RESULT_MEMORY = new ResultMemory(64 * 1024 * 1024, 64 * 1024);

/** Keeps every set in its file (for tests of the file path). */
export const NO_RESULT_MEMORY = new ResultMemory(0, 0);
