import { BadRequestError, parseDuration } from '@engineconn/core';
import { describeIssues, MAX_SUBMIT_WAIT_MS } from '@engineconn/protocol';
import type { z } from 'zod';

const WHERE = { body: 'request body', query: 'query', params: 'path', header: 'header' } as const;
export type InputPlace = keyof typeof WHERE;

/**
 * Parses `value` with one of the protocol's schemas or throws BadRequestError whose message names
 * the offending field, e.g. `Invalid request body: 'code' is required.`
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: InputPlace): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BadRequestError(`Invalid ${WHERE[where]}: ${describeIssues(result.error)}.`);
}

/** `?wait=` in milliseconds (0 when absent), or EC_BAD_REQUEST saying what is expected. */
export function parseWait(wait: string | undefined): number {
  if (wait === undefined) return 0;
  let ms: number;
  try {
    ms = parseDuration(wait, 'wait');
  } catch {
    ms = Number.NaN;
  }
  if (!(ms >= 0 && ms <= MAX_SUBMIT_WAIT_MS)) {
    throw new BadRequestError(
      `Invalid query: 'wait' must be a duration from 0 to ${MAX_SUBMIT_WAIT_MS / 1000}s such as 10s or 500ms; got '${wait}'.`,
    );
  }
  return ms;
}
