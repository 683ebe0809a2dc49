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
