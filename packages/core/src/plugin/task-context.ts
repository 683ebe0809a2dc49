import type { TaskAbortError } from '../computation/task-abort.js';
import type { Column, ProgressInfo } from '../computation/task-types.js';

export type ResultSetSpec =
  | { type: 'TABLE'; columns: Column[] }
  | { type: 'TEXT' }
  | { type: 'HTML' }
  | { type: 'PICTURE'; mimeType?: string };

/**
 * Where an engine writes one result set. Writes go to the data directory as they happen, so a caller
 * that disconnects loses nothing, and they return a promise so a fast producer waits for the disk
 * instead of buffering a whole result in memory.
 */
export interface ResultSetWriter {
  readonly index: number;
  /**
   * TABLE only: appends rows, each an array of cells that `encodeValue` writes (docs/api.md). An
   * engine hands over its values in these shapes and gets the same encoding as every other engine:
   * - integers as `bigint` (or numbers when they are small), exact beyond 2^53 by `integerCell`;
   * - floats as numbers (`float32Cell` for 32-bit ones): NaN, ±Infinity and -0 become strings;
   * - DECIMAL/NUMERIC, JSON text, GEOMETRY (as WKT) and anything else with a text form as strings;
   * - date/time as ISO-8601 strings (`isoDateTime`, `isoTimeTz`, a zone-aware timestamp in the
   *   session's time zone with its offset);
   * - bytes as `Uint8Array` (base64), LIST/ARRAY as arrays;
   * - STRUCT as `StructValue` (one `StructShape` per type) and MAP as `MapValue`, never as plain
   *   objects, which lose `__proto__`, repeated names and the order of integer-like keys.
   */
  writeRows(rows: readonly (readonly unknown[])[]): Promise<void>;
  /**
   * TABLE only: appends `rows` rows already in their stored form, for an engine that encodes its
   * values straight from its own buffers: each row the JSON array `encodeRow` would write for it,
   * UTF-8, on a line of its own ending in `\n`. The writer reads `lines` until the returned promise
   * settles, so the engine may reuse the bytes after that.
   */
  writeRowLines(lines: Uint8Array, rows: number): Promise<void>;
  /** TEXT / HTML / PICTURE only: appends content. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Marks the set complete. Idempotent; the framework closes any set the engine left open. */
  close(): Promise<void>;
}

/**
 * The engine's view of one running task. One `signal` per task, end to end: it aborts on kill,
 * timeout or shutdown, and the engine must then stop the real work (cancel the query, kill the
 * process group, interrupt the interpreter) and return or throw. The task becomes Cancelled only
 * once `execute` has settled, i.e. once the work has stopped.
 */
export interface TaskContext {
  readonly id: string;
  readonly code: string;
  readonly runType: string;
  readonly user: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Its `reason` says why it aborted: a TaskAbortError whose `reason` is a TaskAbortReason (a kill
   * and by whom, a timeout, a shutdown, no caller following); `taskAbortReasonOf(signal)` reads it.
   * What the engine throws once stopped is kept as the cause of the task's terminal error.
   */
  readonly signal: AbortSignal;
  /**
   * True once the task was aborted: what `signal.aborted` says. The signal is made when an engine
   * first reads it; an engine on a hot path reads this and `onAbort` instead, which cost less.
   */
  readonly aborted: boolean;
  /**
   * Calls `listener` once, with the abort's TaskAbortError (the signal's `reason`), when the task is
   * aborted; never if it already was (check `aborted` first). Returns the function that removes it.
   * Like an `abort` listener on `signal`, it must not throw; one that does is logged to the task.
   */
  onAbort(listener: (reason: TaskAbortError) => void): () => void;
  /** After a polite cancel, how long the engine waits before escalating (TERM → KILL, restart). */
  readonly killGraceMs: number;
  /** A directory of this task's own, for engines that need scratch space; created when first read. */
  readonly workDir: string;
  /** Appends log output; text with newlines becomes several lines. Never throws, never drops silently. */
  log(text: string): void;
  /** Sets progress in [0, 1], with optional per-stage detail. Without calls, progress follows statements. */
  progress(value: number, info?: ProgressInfo[]): void;
  /** Declares how many statements the code has (progress = statements done / total by default). */
  statements(total: number): void;
  /** Marks statement `index` (0-based) as the one running now. */
  statementStarted(index: number): void;
  /** Opens the next result set of this task. */
  createResultSet(spec: ResultSetSpec): Promise<ResultSetWriter>;
}
