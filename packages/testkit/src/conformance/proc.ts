import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * What /proc says about processes, for conformance probes that check the real work at the OS level
 * rather than trusting a task's status. Linux only; zombies (exited, waiting for a reaper) count as
 * gone everywhere, since they run nothing.
 */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** User plus system CPU time, in clock ticks. */
  cpuTicks: number;
}

function parseStat(pid: number, text: string): ProcStat {
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

function isLive(stat: ProcStat): boolean {
  return stat.state !== 'Z' && stat.state !== 'X';
}

/** `/proc/<pid>/stat`, or undefined once the process is gone. */
export function readStat(pid: number, thread?: number): ProcStat | undefined {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  try {
    return parseStat(thread ?? pid, readFileSync(path, 'latin1'));
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every live process, read from /proc. */
export function liveProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of pids()) {
    const stat = readStat(pid);
    if (stat && isLive(stat)) out.push(stat);
  }
  return out;
}

/** True while `pid` is a live (non-zombie) process. */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && isLive(stat);
}

/** Live pids whose process group is `pgid`. */
export function livePidsInGroup(pgid: number): number[] {
  return liveProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/** Live pids whose environment holds `name=value` (readable for our own user's processes). */
export function livePidsWithEnv(name: string, value: string): number[] {
  const entry = `${name}=${value}`;
  const out: number[] = [];
  for (const stat of liveProcesses()) {
    try {
      if (readFileSync(`/proc/${stat.pid}/environ`, 'latin1').split('\0').includes(entry)) out.push(stat.pid);
    } catch {
      // Exited while we looked, or not ours to read.
    }
  }
  return out;
}

/**
 * Live descendants of `root` (default: this process), found by walking parent links; the subtrees
 * of `prune` are not entered (e.g. a database server started before, whose backends come and go).
 */
export function liveDescendants(root = process.pid, prune: ReadonlySet<number> = new Set()): number[] {
  const all = liveProcesses();
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (prune.has(pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU ticks used so far by the threads of this process other than `exclude` (default: the main thread). */
export function threadCpuTicks(pid = process.pid, exclude: readonly number[] = [pid]): number {
  let total = 0;
  let threads: string[] = [];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const name of threads) {
    const tid = Number(name);
    if (exclude.includes(tid)) continue;
    total += readStat(pid, tid)?.cpuTicks ?? 0;
  }
  return total;
}

/**
 * True as soon as `ticks()` has grown by `minTicks` within `windowMs`: something is burning CPU. A
 * clock tick is 10 ms on Linux, so a busy thread on an idle core shows about windowMs / 10 of them
 * and an idle thread none. The window is long and the answer early because a loaded machine gives a
 * busy thread only a share of a core: it still crosses the bar, later, while stopped work never does.
 */
export async function burnsCpu(ticks: () => number, { windowMs = 1000, minTicks = 3 } = {}): Promise<boolean> {
  const start = ticks();
  const deadline = performance.now() + windowMs;
  while (performance.now() < deadline) {
    await delay(20);
    if (ticks() - start >= minTicks) return true;
  }
  return ticks() - start >= minTicks;
}
