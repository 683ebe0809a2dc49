import { readdirSync, readFileSync } from 'node:fs';
import type { CodeExecutor } from '@engineconn/core';
import {
  createHarnessTask,
  type HarnessOptions,
  type HarnessTask,
  testCreationContext,
  testSessionEnv,
} from '@engineconn/testkit';
import { pythonEngine } from './python-engine.js';
import type { PythonSession } from './python-session.js';

export interface PythonFixture {
  session: PythonSession;
  executor: CodeExecutor;
  /** Runs code to its end; rejects like the executor does. */
  run(code: string, options?: Omit<HarnessOptions, 'code'>): Promise<HarnessTask>;
  start(code: string, options?: Omit<HarnessOptions, 'code'>): { task: HarnessTask; done: Promise<void> };
  close(): Promise<void>;
}

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

export async function openPython(options: Record<string, string> = {}): Promise<PythonFixture> {
  const ctx = testCreationContext({ engineType: 'python', executor: 'serial', options });
  const session = await pythonEngine.createSession(ctx, testSessionEnv({ logger }));
  const executor = await pythonEngine.createExecutor(session, 'python', ctx);
  const start = (code: string, more: Omit<HarnessOptions, 'code'> = {}) => {
    const task = createHarnessTask({ runType: 'python', ...more, code });
    return { task, done: executor.execute(task.context) };
  };
  return {
    session,
    executor,
    start,
    async run(code, more) {
      const { task, done } = start(code, more);
      await done;
      return task;
    },
    close: () => pythonEngine.closeSession(session),
  };
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
