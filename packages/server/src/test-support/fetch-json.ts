import { readFile } from 'node:fs/promises';
import { waitFor } from '@engineconn/testkit';

/** fetch against a test server, JSON in and out, with an optional bearer token. */
export async function fetchJson<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A process that exited before its ready file was read: how it exited, and its stderr in the message. */
export class ExitedEarlyError extends Error {
  override readonly name = 'ExitedEarlyError';

  constructor(
    readonly exit: unknown,
    stderr: string,
  ) {
    super(`the process exited early (${JSON.stringify(exit)}): ${stderr}`);
  }
}

/** Polls for a ready file, failing at once (with the process's stderr) if the process exits first. */
export async function readyFileOf<T>(
  path: string,
  exitedEarly: () => unknown,
  stderr: () => string,
  timeoutMs: number,
): Promise<T> {
  return waitFor(
    async () => {
      const exit = exitedEarly();
      if (exit) throw new ExitedEarlyError(exit, stderr());
      try {
        return JSON.parse(await readFile(path, 'utf8')) as T;
      } catch {
        return null;
      }
    },
    { timeoutMs, intervalMs: 5, what: `the ready file ${path}` },
  );
}
