import { readdirSync, readFileSync } from 'node:fs';
import { escalateKill } from './escalate-kill.js';

/**
 * Sends `signal` to every process of the group. False when the group no longer exists; a group we may
 * not signal (EPERM, e.g. a setuid member) counts as existing, so we keep waiting rather than lie.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    return true;
  }
}

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function procPids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/**
 * The live (non-zombie) members of a process group. Orphaned members are reaped by PID 1, which in a
 * container may never happen, so a zombie must not count as "still running".
 */
export function groupMembers(pgid: number): number[] {
  if (!signalGroup(pgid, 0)) return [];
  if (process.platform !== 'linux') return [pgid];
  const members: number[] = [];
  for (const pid of procPids()) {
    const stat = readStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(stat.pid);
  }
  return members;
}

/**
 * Whether any live process is left in the group. Cheap while the leader itself is alive (one /proc
 * read), which is the common case while a kill is waited for; a full scan only once it is not.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  const leader = readStat(String(pgid));
  if (leader && leader.pgrp === pgid && leader.state !== 'Z' && leader.state !== 'X') return true;
  return groupMembers(pgid).length > 0;
}

/**
 * Processes that carry `NAME=value` in their environment: a task's descendants that left its process
 * group (setsid, double fork) still inherit the cookie, the way Jenkins finds a build's strays.
 */
export function processesWithEnv(name: string, value: string): number[] {
  if (process.platform !== 'linux') return [];
  const needle = Buffer.from(`${name}=${value}\0`);
  const inner = Buffer.from(`\0${name}=${value}\0`);
  const found: number[] = [];
  for (const pid of procPids()) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      if (environ.indexOf(needle) === 0 || environ.indexOf(inner) >= 0) {
        const stat = readStat(pid);
        if (stat && stat.state !== 'Z' && stat.state !== 'X') found.push(stat.pid);
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

export type StopOutcome = 'gone' | 'SIGTERM' | 'SIGKILL';

/**
 * Stops a whole process group: SIGTERM, then SIGKILL if anything is left after `graceMs`. Resolves
 * once no live member remains, with the signal that finished it ('gone' if it was already empty).
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<StopOutcome> {
  const outcome = await escalateKill({
    steps: [
      { name: 'SIGTERM', run: () => signalGroup(pgid, 'SIGTERM') },
      { name: 'SIGKILL', run: () => signalGroup(pgid, 'SIGKILL') },
    ],
    graceMs,
    stopped: () => !groupAlive(pgid),
  });
  return outcome.kind === 'stopped' ? outcome.step : 'gone';
}

/** Stops individual processes (strays outside the group) the same way: TERM, grace, KILL. */
export async function terminatePids(pids: readonly number[], graceMs: number): Promise<void> {
  const alive = () => pids.filter(isLive);
  const signalAll = (signal: NodeJS.Signals) => () => {
    for (const pid of alive()) sendSignal(pid, signal);
  };
  await escalateKill({
    steps: [
      { name: 'SIGTERM', run: signalAll('SIGTERM') },
      { name: 'SIGKILL', run: signalAll('SIGKILL') },
    ],
    graceMs,
    stopped: () => alive().length === 0,
  });
}

function isLive(pid: number): boolean {
  const state = readStat(String(pid))?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILLs a whole group at once and resolves once no live member is left. */
export async function killGroup(pgid: number): Promise<void> {
  await escalateKill({
    steps: [{ name: 'SIGKILL', run: () => signalGroup(pgid, 'SIGKILL') }],
    graceMs: 0,
    stopped: () => !groupAlive(pgid),
  });
}
