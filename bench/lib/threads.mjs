// CPU time per thread of a process, grouped by what the thread is, read from /proc/<pid>/task.
// Node 20 names none of its threads (every one is `node`), so a thread is told by when it started:
// the main thread; the threads Node starts before any code runs (V8's platform workers, which do
// the concurrent and parallel GC and the optimising compiler, and the inspector's signal thread),
// as many as a bare `node` of this version starts; then libuv's pool, started all at once the
// first time something queues work on it; then the threads started later, which in an
// EngineConn on DuckDB are DuckDB's own workers (the instance opens after the pool started).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { statFields } from './proc.mjs';

/** Ticks of the clock /proc reports start times in (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
/** A later thread started more than this after the pool's first is not the pool's. */
const POOL_START_SPREAD_TICKS = 5;

let nodeOwnThreads;
/** Threads a bare `node` of this version runs before any code (its main thread included). */
function nodeOwnThreadCount() {
  nodeOwnThreads ??= Number(
    execFileSync(process.execPath, ['-e', "console.log(require('fs').readdirSync('/proc/self/task').length)"], {
      encoding: 'utf8',
    }),
  );
  return nodeOwnThreads;
}

function readThreads(pid) {
  const threads = [];
  for (const name of readdirSync(`/proc/${pid}/task`)) {
    const fields = statFields(`${pid}/task/${name}`);
    // Null: the thread ended while reading.
    if (!fields) continue;
    // utime, stime and starttime are fields 14, 15 and 22 of stat; fields[0] here is field 3.
    threads.push({
      tid: Number(name),
      startTicks: Number(fields[19]),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
    });
  }
  return threads.sort((a, b) => a.tid - b.tid);
}

/** The group of each thread, by tid: `main`, `node` (V8 platform, inspector), `libuv` (pool), `later`. */
function classify(threads, pid) {
  const own = nodeOwnThreadCount();
  const groups = new Map();
  let poolStart;
  threads.forEach((thread, rank) => {
    let group;
    if (thread.tid === pid) group = 'main';
    else if (rank < own) group = 'node';
    else {
      poolStart ??= thread.startTicks;
      group = thread.startTicks - poolStart <= POOL_START_SPREAD_TICKS ? 'libuv' : 'later';
    }
    groups.set(thread.tid, group);
  });
  return groups;
}

/**
 * A snapshot of the process's threads; `since(previous)` gives the CPU each group used in between,
 * milliseconds, plus `total` (threads that ended in between are missed: none do in an EngineConn).
 */
export function threadCpu(pid) {
  const threads = readThreads(pid);
  const groups = classify(threads, pid);
  return {
    threads,
    since(previous) {
      const before = new Map(previous.threads.map((t) => [t.tid, t.cpuMs]));
      const used = { main: 0, node: 0, libuv: 0, later: 0, total: 0 };
      for (const thread of threads) {
        const ms = thread.cpuMs - (before.get(thread.tid) ?? 0);
        used[groups.get(thread.tid)] += ms;
        used.total += ms;
      }
      return used;
    },
  };
}
