import {
  BadRequestError,
  HEALTH_STATES,
  parseDuration,
  TASK_PAGE_DEFAULT,
  TASK_PAGE_MAX,
  TASK_STATUSES,
  TEXT_PAGE_MAX_BYTES,
} from '@engineconn/core';
import { z } from 'zod';

/*
 * Every request body, query and path parameter of the HTTP API, in one place: the routes validate
 * with these and the OpenAPI document is generated from them (`z.toJSONSchema`).
 *
 * Unknown top-level body fields are rejected (400 EC_BAD_REQUEST naming them): a misspelt `lock` or
 * `runType` silently ignored would run the task differently from what the caller asked for.
 * Unknown query parameters are ignored, as browsers and proxies add their own (cache busters).
 */

const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`;

const bodyError = (issue: { input?: unknown }) =>
  issue.input === undefined ? 'a JSON object body is required' : 'must be a JSON object';

const nonEmptyString = z.string({ error: typeError('a string') }).min(1, 'must not be empty');

/** Query/header numbers arrive as text. */
const queryInt = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const MAX_PAGE_LIMIT = 10_000;

export const SubmitRequestSchema = z
  .strictObject(
    {
      code: nonEmptyString.describe('The code to run, e.g. SQL statements separated by semicolons.'),
      lock: nonEmptyString.optional().describe('The lock from POST /api/v1/locks, when the EC is locked.'),
      runType: nonEmptyString.optional().describe("The code language, one of the engine's runTypes."),
      properties: z
        .record(z.string(), z.unknown(), { error: typeError('an object') })
        .optional()
        .describe("Per-task settings, e.g. 'timeout' (duration like 30s or ms)."),
      labels: z
        .record(z.string(), z.string({ error: 'must be a string' }), { error: typeError('an object of strings') })
        .optional()
        .describe('Free-form string labels kept with the task.'),
    },
    { error: bodyError },
  )
  .describe('POST /api/v1/tasks');

/** The longest `?wait=` of a one-request task: longer holds belong on the event stream. */
export const MAX_SUBMIT_WAIT_MS = 60_000;

export const SubmitQuerySchema = z.object({
  wait: z
    .string()
    .optional()
    .describe(
      'Wait this long (e.g. 10s, 500ms; at most 60s) for the task to end: 200 with the task and the first page of each result set if it does, else 202.',
    ),
});

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

export const LockRequestSchema = z
  .strictObject(
    {
      timeoutMs: z
        .number({ error: typeError('a number of milliseconds') })
        .int('must be a whole number of milliseconds')
        .positive('must be positive')
        .optional(),
    },
    { error: bodyError },
  )
  .describe('POST /api/v1/locks');

export const HealthRequestSchema = z
  .strictObject(
    {
      health: z.enum(HEALTH_STATES, { error: `must be one of ${HEALTH_STATES.join(', ')}` }),
      reason: z.string({ error: 'must be a string' }).optional(),
    },
    { error: bodyError },
  )
  .describe('POST /api/v1/engineconn/health');

export const TaskParamsSchema = z.object({ id: nonEmptyString });

export const LockParamsSchema = z.object({ lock: nonEmptyString });

export const ResultParamsSchema = z.object({ id: nonEmptyString, index: queryInt(0, Number.MAX_SAFE_INTEGER) });

export const TasksQuerySchema = z.object({
  limit: queryInt(1, TASK_PAGE_MAX).default(TASK_PAGE_DEFAULT).describe(`Tasks per page (at most ${TASK_PAGE_MAX}).`),
  after: nonEmptyString.optional().describe("The previous page's `next`: this page starts after that task."),
  status: z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` }).optional(),
});

export const LogsQuerySchema = z.object({
  from: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: queryInt(1, MAX_PAGE_LIMIT).default(1000),
});

export const RESULT_FORMATS = ['json', 'csv', 'ndjson', 'raw'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** TABLE pages count rows (default 1000, at most MAX_PAGE_LIMIT); TEXT / HTML pages UTF-8 bytes (default and at most 1 MiB). */
export const ResultPageQuerySchema = z.object({
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: queryInt(1, TEXT_PAGE_MAX_BYTES)
    .optional()
    .describe(`Rows (TABLE, at most ${MAX_PAGE_LIMIT}) or UTF-8 bytes (TEXT/HTML, at most ${TEXT_PAGE_MAX_BYTES}).`),
  format: z
    .enum(RESULT_FORMATS, { error: `must be one of ${RESULT_FORMATS.join(', ')}` })
    .default('json')
    .describe('csv / ndjson stream a whole TABLE; raw streams a whole TEXT or HTML set.'),
});

/** `?after=` resumes an event stream after that sequence number (the SSE `Last-Event-ID` header wins). */
export const EventsQuerySchema = z.object({
  after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  token: z.string().optional().describe('The bearer token, for clients that cannot set headers (EventSource).'),
});

export const LastEventIdSchema = queryInt(0, Number.MAX_SAFE_INTEGER);

export type SubmitRequestBody = z.infer<typeof SubmitRequestSchema>;

const WHERE = { body: 'request body', query: 'query', params: 'path', header: 'header' } as const;

/**
 * Parses `value` or throws BadRequestError whose message names the offending field, e.g.
 * `Invalid request body: 'code' is required.`
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: keyof typeof WHERE): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    if (issue.code === 'unrecognized_keys')
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    const path = issue.path.map(String).join('.');
    return path ? `'${path}' ${issue.message}` : issue.message;
  });
  throw new BadRequestError(`Invalid ${WHERE[where]}: ${problems.join('; ')}.`);
}
