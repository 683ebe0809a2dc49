import { type EngineFixture, openEngineFixture } from '@engineconn/testkit';
import { shellEngine } from './shell-engine.js';
import type { ShellSession } from './shell-session.js';

export type ShellFixture = EngineFixture<ShellSession>;

export function openShell(options: Record<string, string> = {}): Promise<ShellFixture> {
  return openEngineFixture(shellEngine, { runType: 'shell', options, env: { concurrency: 16 } });
}
