import { type EngineFixture, openEngineFixture } from '@engineconn/testkit';
import { pythonEngine } from './python-engine.js';
import type { PythonSession } from './python-session.js';

export type PythonFixture = EngineFixture<PythonSession>;

export function openPython(options: Record<string, string> = {}): Promise<PythonFixture> {
  return openEngineFixture(pythonEngine, { runType: 'python', executor: 'serial', options });
}
