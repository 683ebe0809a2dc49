import { z } from 'zod';
import { HEALTH_STATES } from '../status/health.js';
import { TASK_STATUSES } from '../status/task-status.js';
import { named } from './components.js';
import { bodyError, typeError } from './field-errors.js';
import {
  MAX_PAGE_LIMIT,
  MAX_SUBMIT_WAIT_MS,
  RESULT_FORMATS,
  TASK_PAGE_DEFAULT,
  TASK_PAGE_MAX,
  TEXT_PAGE_MAX_BYTES,
} from './limits.js';

/*
 * Every request body, query and path parameter of the EngineConn's HTTP API (docs/api.md#routes): the
 * routes validate with these and the OpenAPI document is generated from them.
 *
 * Unknown top-level body fields are rejected (400 EC_BAD_REQUEST naming them): a misspelt `lock` or
 * `runType` silently ignored would run the task differently from what the caller asked for.
 * Unknown query parameters are ignored, as browsers and proxies add their own (cache busters).
 */

const nonEmptyString = z.string({ error: typeError('a string') }).min(1, 'must not be empty');

/** Query/header numbers arrive as text. */
const queryInt = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const SubmitRequestSchema = named(
  'SubmitRequest',
  z
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
    .meta({ description: 'POST /api/v1/tasks', examples: [{ code: 'select 42 as answer', labels: { job: 'daily' } }] }),
);
/** What a caller sends to run code (`POST /api/v1/tasks`, docs/api.md). */
export type SubmitRequest = z.infer<typeof SubmitRequestSchema>;

export const SubmitQuerySchema = z.object({
  wait: z
    .string()
    .optional()
    .describe(
      `Wait this long (e.g. 10s, 500ms; at most ${MAX_SUBMIT_WAIT_MS / 1000}s) for the task to end: 200 with the task and the first page of each result set if it does, else 202.`,
    ),
});

export const LockRequestSchema = named(
  'LockRequest',
  z
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
    .meta({ description: 'POST /api/v1/locks', examples: [{ timeoutMs: 60_000 }] }),
);
export type LockRequest = z.infer<typeof LockRequestSchema>;

export const HealthRequestSchema = named(
  'HealthRequest',
  z
    .strictObject(
      {
        health: z.enum(HEALTH_STATES, { error: `must be one of ${HEALTH_STATES.join(', ')}` }),
        reason: z.string({ error: 'must be a string' }).optional(),
      },
      { error: bodyError },
    )
    .meta({ description: 'POST /api/v1/engineconn/health', examples: [{ health: 'WARN', reason: 'disk 90% full' }] }),
);
export type HealthRequest = z.infer<typeof HealthRequestSchema>;

export const TaskParamsSchema = z.object({ id: nonEmptyString });

export const LockParamsSchema = z.object({ lock: nonEmptyString });

export const ResultParamsSchema = z.object({ id: nonEmptyString, index: queryInt(0, Number.MAX_SAFE_INTEGER) });

export const TasksQuerySchema = z.object({
  limit: queryInt(1, TASK_PAGE_MAX).default(TASK_PAGE_DEFAULT).describe(`Tasks per page (at most ${TASK_PAGE_MAX}).`),
  after: nonEmptyString.optional().describe("The previous page's `next`: this page starts after that task."),
  status: z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` }).optional(),
});
export type TasksQuery = z.infer<typeof TasksQuerySchema>;

export const LogsQuerySchema = z.object({
  from: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: queryInt(1, MAX_PAGE_LIMIT).default(1000),
});

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
  wait: z
    .string()
    .optional()
    .describe(
      `TABLE pages: wait this long (e.g. 10s; at most ${MAX_SUBMIT_WAIT_MS / 1000}s) for the set to exist and hold the whole page, or to be complete, before answering: a caller reads the rows while the task still writes them.`,
    ),
});

/** `?after=` resumes an event stream after that sequence number (the SSE `Last-Event-ID` header wins). */
export const EventsQuerySchema = z.object({
  after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  token: z.string().optional().describe('The bearer token, for clients that cannot set headers (EventSource).'),
});

export const LastEventIdSchema = queryInt(0, Number.MAX_SAFE_INTEGER);
