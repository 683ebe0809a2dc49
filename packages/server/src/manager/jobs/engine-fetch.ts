import { EngineConnError } from '@engineconn/core';
import type { EngineRecord } from '../registry/engine-record.js';

export interface EngineRequest {
  query?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * One request to an engine on a caller's behalf, with the engine's own token. An engine that does
 * not answer is EC_UNREACHABLE (503, which clients retry): by then the watcher is about to call it
 * Lost, and the retry finds the job's final answer.
 */
export async function engineFetch(
  record: EngineRecord,
  method: string,
  path: string,
  req: EngineRequest = {},
): Promise<Response> {
  if (!record.url) throw new EngineConnError('EC_UNREACHABLE', `Engine '${record.id}' is not serving yet.`);
  const headers: Record<string, string> = { authorization: `Bearer ${record.token}`, ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(`${record.url}${path}${req.query ? `?${req.query}` : ''}`, {
      method,
      headers,
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } catch (err) {
    throw new EngineConnError('EC_UNREACHABLE', `Engine '${record.id}' did not answer: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Reads an engine's JSON answer; an error answer keeps the engine's code and status. */
export async function engineJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new EngineConnError(
      'EC_INTERNAL',
      `The engine answered ${response.status} with no JSON: ${text.slice(0, 200)}`,
    );
  }
  if (response.ok) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  throw EngineConnError.from(
    Object.assign(
      new Error(typeof error?.message === 'string' ? error.message : `The engine answered ${response.status}.`),
      {
        code: error?.code,
      },
    ),
  );
}
