import { existsSync, readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { ConfigInvalidError } from '../errors/errors.js';

/**
 * How much lower than its event loop an EngineConn runs its engine's work: the threads of its
 * process other than the main one (libuv's pool, where DuckDB runs statements; DuckDB's workers;
 * V8's helpers) and the processes its engines start (the Python interpreter, a shell task's
 * processes). The event loop answers every request, kill and heartbeat, and on a busy machine the
 * scheduler otherwise shares the cores evenly between it and each runnable engine thread: with a
 * core or two, the loop waits behind the work it hands out. 0 turns it off. See docs/architecture.md.
 */
export const ENGINE_NICE_OPTION = 'ec.engineNice';
/** As the `nice` command's own default. */
export const DEFAULT_ENGINE_NICE = 10;
/** The highest nice value Linux has. */
const MAX_NICE = 19;

/** `ec.engineNice`, 0-19. */
export function readEngineNice(options: { integer(key: string, fallback: number, min?: number): number }): number {
  const nice = options.integer(ENGINE_NICE_OPTION, DEFAULT_ENGINE_NICE, 0);
  if (nice > MAX_NICE) {
    throw new ConfigInvalidError(`Option '${ENGINE_NICE_OPTION}' must be at most ${MAX_NICE}; got '${nice}'.`);
  }
  return nice;
}

/** The nice value engine work gets: `nice` above the event loop's own (the calling thread's). */
export function engineNiceValue(nice: number): number {
  return Math.min(MAX_NICE, getPriority() + nice);
}

/**
 * The command line that starts `command args` `nice` lower than the event loop, for a child that
 * may start processes of its own at once (a shell): they inherit it from its first instruction,
 * where a priority set after the spawn could come after the child's first fork. The `nice` command
 * execs `command` in the same process, so its pid and process group are the ones the caller gets.
 */
export function nicedCommand(nice: number, command: string, args: readonly string[]): [string, string[]] {
  return nice > 0 ? [niceProgram(), ['-n', String(nice), command, ...args]] : [command, [...args]];
}

let nicePath: string | undefined;
/** coreutils' `nice` by its path, so a task's own PATH (a task property may set it) cannot hide it. */
function niceProgram(): string {
  nicePath ??= ['/usr/bin/nice', '/bin/nice'].find((path) => existsSync(path)) ?? 'nice';
  return nicePath;
}

/**
 * Lowers a child process spawned a moment ago (one process, one thread, nothing forked yet: an
 * interpreter starting); what it starts later inherits the value. A child already gone is left.
 */
export function niceChild(pid: number, nice: number): void {
  if (nice === 0) return;
  try {
    setPriority(pid, engineNiceValue(nice));
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}

/**
 * Whether os.getPriority/os.setPriority failed because the process or thread is gone: they throw a
 * SystemError, whose code is ERR_SYSTEM_ERROR and whose errno's name is in `info`.
 */
function isGone(err: unknown): boolean {
  return (err as { info?: { code?: unknown } }).info?.code === 'ESRCH';
}

/**
 * Gives every thread of this process but the main one the engine's nice value, and returns how
 * many it changed. On Linux a nice value is a thread's, and a thread starts with its creator's:
 * libuv's pool is started by the main thread, DuckDB's workers by a pool thread, so a sweep after
 * the engine opened finds them, and a later one the threads started since. Threads already as low
 * or lower are left. Without /proc (not Linux) there is nothing to do.
 */
export function niceEngineThreads(nice: number): number {
  if (nice === 0) return 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  const value = engineNiceValue(nice);
  let changed = 0;
  for (const name of tids) {
    const tid = Number(name);
    if (tid === process.pid) continue;
    try {
      if (getPriority(tid) >= value) continue;
      setPriority(tid, value);
      changed++;
    } catch (err) {
      // The thread ended between the listing and now.
      if (!isGone(err)) throw err;
    }
  }
  return changed;
}

/** How often the threads are swept again, for those started after the last sweep. */
const SWEEP_INTERVAL_MS = 5000;

/**
 * Keeps the engine's threads niced (niceEngineThreads) from now until the returned stop is called:
 * a sweep now, then one every few seconds on an unref()ed timer. A sweep the system refuses (a
 * sandbox that forbids setpriority) is reported once, and the sweeps stop: the EngineConn runs as
 * it would with 0. Stopping twice is stopping once.
 */
export function keepEngineThreadsNiced(
  nice: number,
  onRefused: (err: unknown) => void,
  intervalMs = SWEEP_INTERVAL_MS,
): () => void {
  if (nice === 0) return () => {};
  let timer: NodeJS.Timeout | undefined;
  const sweep = (): boolean => {
    try {
      niceEngineThreads(nice);
      return true;
    } catch (err) {
      clearInterval(timer);
      onRefused(err);
      return false;
    }
  };
  if (!sweep()) return () => {};
  timer = setInterval(sweep, intervalMs).unref();
  return () => clearInterval(timer);
}
