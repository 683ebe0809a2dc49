import { readdirSync, readFileSync } from 'node:fs';
import { type EngineFixture, openEngineFixture } from '@engineconn/testkit';
import { pythonEngine } from './python-engine.js';
import type { PythonSession } from './python-session.js';

export type PythonFixture = EngineFixture<PythonSession>;

export const warnings: string[] = [];
const logger = {
  debug() {},
  info() {},
  warn(_obj: object | string, msg?: string) {
    warnings.push(msg ?? String(_obj));
  },
  error(_obj: object | string, msg?: string) {
    warnings.push(msg ?? String(_obj));
  },
};

export function openPython(options: Record<string, string> = {}): Promise<PythonFixture> {
  return openEngineFixture(pythonEngine, { runType: 'python', executor: 'serial', options, env: { logger } });
}

/** Live (non-zombie) pids whose process group is `pgid`, read from /proc. */
export function livePidsInGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'latin1');
      const [state, , pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') out.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}
