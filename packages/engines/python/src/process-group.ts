import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Signals every process of a group; false once the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Live (non-zombie) members of a process group, from /proc. Orphans are reaped by PID 1, which in a
 * container may never happen, so a zombie must not count as "still running".
 */
export function groupMembers(pgid: number): number[] {
  if (!signalGroup(pgid, 0)) return [];
  if (process.platform !== 'linux') return [pgid];
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'latin1');
      // The command name is in parentheses and may itself contain spaces or parentheses.
      const [state, , pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return members;
}

/** SIGKILLs a whole group and resolves once no live member is left. */
export async function killGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGKILL');
  let interval = 1;
  while (groupMembers(pgid).length > 0) {
    // The timer stays referenced: a caller awaits this, and it ends as soon as the group is gone.
    await delay(interval);
    interval = Math.min(interval * 2, 20);
  }
}
