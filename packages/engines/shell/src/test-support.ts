import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type EngineFixture, openEngineFixture } from '@engineconn/testkit';
import { shellEngine } from './shell-engine.js';
import type { ShellSession } from './shell-session.js';

export type ShellFixture = EngineFixture<ShellSession>;

export function openShell(options: Record<string, string> = {}): Promise<ShellFixture> {
  return openEngineFixture(shellEngine, { runType: 'shell', options, env: { concurrency: 16 } });
}

/** True while `pid` is a live process (a zombie awaiting its reaper does not count). */
export function isAlive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, 'latin1');
    const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Live pids whose process group is `pgid`, read from /proc. */
export function livePidsInGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const pid of readdirPids()) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') out.push(pid);
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

function readdirPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}
