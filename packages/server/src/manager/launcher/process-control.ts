import { readFileSync } from 'node:fs';

/** A process that has exited but not been reaped yet: gone, though its pid still answers signals. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Whether a process with this pid is running (EPERM: it is, as someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * Whether `pid` is still the EngineConn the manager launched into `dataDir`, not a process that
 * reused its pid after a crash: its command line names the data dir the manager made for it.
 */
export function isOurEngine(pid: number, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
  } catch {
    // No /proc (not Linux): the pid is all there is to go by.
    return true;
  }
}

/**
 * SIGKILLs the engine's whole process group (it was spawned detached, so the group is its own):
 * whatever the engine started (an interpreter, a shell task) goes with it.
 */
export function killEngineGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
