import { EngineConnError, TASK_STATUSES, type TaskStatus } from '@engineconn/protocol/constants';

/*
 * A journal's status, done and log events kept as one number each instead of an object: a trivial
 * task's journal held six such objects, each status time boxed as a heap number besides, about
 * 340 of the ~3,000 bytes a finished task keeps for its whole retention (and every byte kept is
 * copied by scavenges and marked by each full GC). The number is `payload * KINDS + kind`:
 * - a status or done event: kind `2 * index of its status (+ 1 for done)`, payload its time in ms
 *   after the journal's `since` (negative if the clock went back: the kind is read with a floor);
 * - a log event: kind LOG, payload `from * (maxLines + 1) + count`.
 * A payload below about 2^27 (37 hours, 134,000 log lines) makes a small integer, which V8 keeps
 * in the events array itself; a larger one is a heap number, still exact (below 2^53).
 * An event with an error, or any other event, stays an object.
 */

const KINDS = 16;
const LOG = 2 * TASK_STATUSES.length;
// A status added to the contract must still leave room for the log kind, or kinds would collide.
if (LOG >= KINDS) {
  throw new EngineConnError(
    'EC_INTERNAL',
    `${TASK_STATUSES.length} task statuses need more than ${KINDS} packed event kinds.`,
  );
}
const STATUS_INDEX = new Map<TaskStatus, number>(TASK_STATUSES.map((status, i) => [status, i]));

/** A status or done event without an error, as the journal keeps an unpacked one. */
export type PackedStatus = { event: 'status' | 'done'; status: TaskStatus; atMs: number; error: undefined };
export type PackedLog = { event: 'log'; from: number; count: number };

export function packStatus(event: 'status' | 'done', status: TaskStatus, atMs: number, since: number): number {
  const kind = 2 * (STATUS_INDEX.get(status) as number) + (event === 'done' ? 1 : 0);
  return (atMs - since) * KINDS + kind;
}

/** A log event of `count` lines (1 to `maxLines`) from line `from`. */
export function packLog(from: number, count: number, maxLines: number): number {
  return (from * (maxLines + 1) + count) * KINDS + LOG;
}

/** The event a packed number stands for; `since` and `maxLines` as it was packed with. */
export function unpack(packed: number, since: number, maxLines: number): PackedStatus | PackedLog {
  const payload = Math.floor(packed / KINDS);
  const kind = packed - payload * KINDS;
  if (kind === LOG) {
    const from = Math.floor(payload / (maxLines + 1));
    return { event: 'log', from, count: payload - from * (maxLines + 1) };
  }
  return {
    event: kind % 2 === 1 ? 'done' : 'status',
    status: TASK_STATUSES[kind >> 1] as TaskStatus,
    atMs: since + payload,
    error: undefined,
  };
}
