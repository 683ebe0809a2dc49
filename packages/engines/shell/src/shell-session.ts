import { type EngineCreationContext, readEngineNice } from '@engineconn/core';

export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const ENV_OPTION_PREFIX = 'shell.env.';

/** What every task of one shell EngineConn shares: there is no live session, only settings. */
export interface ShellSession {
  readonly version: string;
  /** `shell.cwd`; when unset, each task runs in its own work directory. */
  readonly cwd: string | undefined;
  /** `shell.env.NAME=value` options, added to the EngineConn's own environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly maxOutputBytes: number;
  /** `ec.engineNice`: each task's shell starts that much lower than the event loop. */
  readonly nice: number;
  /** Process groups of running tasks, so closing the session can never leave one behind. */
  readonly groups: Set<number>;
}

export function readShellSession(ctx: EngineCreationContext, version: string): ShellSession {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.options)) {
    if (key.startsWith(ENV_OPTION_PREFIX) && key.length > ENV_OPTION_PREFIX.length) {
      env[key.slice(ENV_OPTION_PREFIX.length)] = value;
    }
  }
  return {
    version,
    cwd: ctx.optionalString('shell.cwd'),
    env,
    maxOutputBytes: ctx.integer('shell.maxOutputBytes', DEFAULT_MAX_OUTPUT_BYTES, 0),
    nice: readEngineNice(ctx),
    groups: new Set(),
  };
}
