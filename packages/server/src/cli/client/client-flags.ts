import { readFile } from 'node:fs/promises';
import type { EngineConnClient, ManagerClient } from '@engineconn/client';
import { EngineConnError } from '@engineconn/core';
import type { Command } from 'commander';

export const DEFAULT_URL = 'http://127.0.0.1:7070';
export const DEFAULT_MANAGER_URL = 'http://127.0.0.1:7080';

export interface ClientFlags {
  url?: string;
  token?: string;
  ca?: string;
}

/** Adds `--url`, `--token` and `--ca` (defaults from ENGINECONN_URL / _TOKEN / _CA) to a client command. */
export function withClientFlags(command: Command): Command {
  return command
    .option('--url <url>', `the EngineConn to talk to (env ENGINECONN_URL, default ${DEFAULT_URL})`)
    .option(
      '--token <token>',
      'bearer token (env ENGINECONN_TOKEN; default: the owner token an EngineConn of this OS user left for the URL)',
    )
    .option('--ca <file>', 'PEM certificate(s) to trust for an https:// EngineConn or --manager (env ENGINECONN_CA)');
}

type ClientModule = typeof import('@engineconn/client');

/** Set once a client command loads the SDK; `engineconn start` never does. */
let clientModule: ClientModule | undefined;

function checkUrl(url: string, flag: string, example: string): void {
  try {
    new URL(url);
  } catch {
    throw new EngineConnError('EC_CONFIG_INVALID', `${flag} must be a URL like ${example}; got '${url}'.`);
  }
}

function tokenOf(flags: ClientFlags): string | undefined {
  const token = flags.token ?? process.env.ENGINECONN_TOKEN;
  return token === '' ? undefined : token;
}

/** The PEM certificate(s) of `--ca` (env ENGINECONN_CA), trusted for an https:// EngineConn. */
async function caOf(flags: ClientFlags): Promise<Buffer | undefined> {
  const caFile = flags.ca ?? (process.env.ENGINECONN_CA || undefined);
  if (caFile === undefined) return undefined;
  try {
    return await readFile(caFile);
  } catch (err) {
    throw new EngineConnError('EC_CONFIG_INVALID', `Cannot read --ca '${caFile}': ${(err as Error).message}`);
  }
}

/** A client of the manager at `--manager` (env ENGINECONN_MANAGER, default DEFAULT_MANAGER_URL). */
export async function createManagerClient(flags: ClientFlags & { manager?: string }): Promise<ManagerClient> {
  const url = flags.manager ?? process.env.ENGINECONN_MANAGER ?? DEFAULT_MANAGER_URL;
  checkUrl(url, '--manager', DEFAULT_MANAGER_URL);
  clientModule ??= await import('@engineconn/client');
  return new clientModule.ManagerClient({ url, token: tokenOf(flags), ca: await caOf(flags) });
}

/** The SDK is loaded here rather than imported, so `engineconn start` does not pay for it (nor for ws). */
export async function createClient(flags: ClientFlags): Promise<EngineConnClient> {
  const url = flags.url ?? process.env.ENGINECONN_URL ?? DEFAULT_URL;
  checkUrl(url, '--url', DEFAULT_URL);
  clientModule ??= await import('@engineconn/client');
  return new clientModule.EngineConnClient({ url, token: tokenOf(flags), ca: await caOf(flags) });
}

const HINTS: Partial<Record<string, string>> = {
  EC_UNAUTHORIZED:
    "pass --token or set ENGINECONN_TOKEN: a token from the auth file, or the owner token from the EngineConn's ready file",
  EC_FORBIDDEN: 'use an EngineConn of your own, or the owner’s or an admin’s token; without an auth file only loopback',
  EC_FORBIDDEN_ORIGIN:
    'call the EngineConn by its address or localhost, or start it with --public-url / --allow-origin',
  EC_TASK_NOT_FOUND: 'list your tasks with `engineconn tasks`',
  EC_LOCK_INVALID: 'take a fresh lock with `engineconn lock`',
  EC_LOCK_NOT_FOUND: 'the lock is already gone; take a fresh one with `engineconn lock`',
  EC_BUSY: 'wait for running tasks to finish, or start another EngineConn',
  EC_UNREACHABLE: 'check --url or ENGINECONN_URL (--manager or ENGINECONN_MANAGER for a manager)',
  EC_LIMIT_REACHED:
    'release an engine with `engineconn engines` and DELETE, or wait for idle ones to release themselves',
  EC_ENGINE_LOST: 'submit it again: the manager launches a fresh engine',
};

/** The one-line message for a failed client command, with a hint about what to do. */
export function describeFailure(err: unknown): string {
  // Without the SDK loaded there can be no EngineConnClientError.
  if ((clientModule && err instanceof clientModule.EngineConnClientError) || err instanceof EngineConnError) {
    const hint = HINTS[err.code];
    return `${err.message} [${err.code}]${hint ? ` (${hint})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a client command's body: a failure prints `engineconn: <message> [EC_CODE] (hint)` and exits 1;
 * otherwise the process exits with the code the body returns (0 by default).
 */
export async function runClientCommand(body: () => Promise<number | undefined>): Promise<void> {
  // `engineconn tasks | head -1`: once the reader has gone, output has nowhere to go and a client
  // command has nothing left to do; it leaves quietly with 0 instead of a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  let code: number;
  try {
    code = (await body()) ?? 0;
  } catch (err) {
    process.stderr.write(`engineconn: ${describeFailure(err)}\n`);
    code = 1;
  }
  process.exitCode = code;
  await flush(process.stdout);
  process.exit(code);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableNeedDrain) resolve();
    else stream.once('drain', () => resolve());
  });
}
