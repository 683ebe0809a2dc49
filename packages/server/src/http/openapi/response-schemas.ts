import {
  ERROR_CODES,
  EXECUTOR_KINDS,
  HEALTH_STATES,
  NODE_STATUSES,
  RESULT_SET_TYPES,
  TASK_STATUSES,
  TERMINAL_TASK_STATUSES,
} from '@engineconn/core';
import { z } from 'zod';

/*
 * The answers of the HTTP API (docs/api.md), defined once: the OpenAPI document is generated from
 * them, and the tests check both that they match the core types and that real answers parse.
 */

const isoTime = z.string().describe('ISO 8601 time');

export const ErrorCodeSchema = z.enum(
  Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]],
);

export const ErrorBodySchema = z.object({ code: ErrorCodeSchema, message: z.string() });

export const ErrorResponseSchema = z
  .object({ error: ErrorBodySchema })
  .describe('Every failure: an HTTP status and a stable EC_* code (see docs/errors.md).');

export const TaskStatusSchema = z.enum(TASK_STATUSES);
export const NodeStatusSchema = z.enum(NODE_STATUSES);
export const HealthSchema = z.enum(HEALTH_STATES);

export const ColumnSchema = z.object({ name: z.string(), type: z.string().describe("The engine's own type name.") });

export const ProgressInfoSchema = z.object({
  id: z.string(),
  totalTasks: z.number(),
  runningTasks: z.number(),
  failedTasks: z.number(),
  succeedTasks: z.number(),
});

export const ResultSetMetaSchema = z.object({
  index: z.number().int(),
  type: z.enum(RESULT_SET_TYPES),
  columns: z.array(ColumnSchema).optional().describe('TABLE only.'),
  rowCount: z.number().int().describe('Rows for TABLE; 0 for the other types.'),
  byteCount: z.number().int().describe('Bytes of TEXT / HTML / PICTURE content.'),
  mimeType: z.string().optional().describe('PICTURE only.'),
  complete: z.boolean().describe('False while the engine is still writing it.'),
  truncated: z
    .boolean()
    .optional()
    .describe(
      'True when the task ended (killed, failed, timed out) while this set was being written: the rows are only a prefix.',
    ),
});

export const TaskInfoSchema = z.object({
  id: z.string(),
  owner: z.string(),
  status: TaskStatusSchema,
  runType: z.string(),
  progress: z.number().min(0).max(1),
  progressInfo: z.array(ProgressInfoSchema),
  statements: z.object({ total: z.number().int(), current: z.number().int() }),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  error: ErrorBodySchema.optional(),
  resultSets: z.array(ResultSetMetaSchema),
  labels: z.record(z.string(), z.string()),
  logLines: z.number().int(),
});

export const EngineConnInfoSchema = z.object({
  id: z.string(),
  engineType: z.string(),
  engineVersion: z.string(),
  executor: z.enum(EXECUTOR_KINDS),
  status: NodeStatusSchema,
  health: HealthSchema,
  owner: z.string(),
  labels: z.record(z.string(), z.string()),
  concurrency: z.object({ limit: z.number().int(), running: z.number().int(), queued: z.number().int() }),
  overload: z.object({
    maxMemory: z.number().describe('Bytes this process may use before it reports itself overloaded.'),
    usedMemory: z.number().describe('Resident set size, bytes.'),
    systemCpuUsed: z.number().describe('System CPU use over the last sample, 0..1.'),
    systemLeftMemory: z.number().describe('Free system memory, bytes.'),
  }),
  startedAt: isoTime,
  lastActivityAt: isoTime,
  pid: z.number().int(),
  url: z.string().optional(),
  lock: z.object({ held: z.boolean(), expiresAt: isoTime.optional() }).optional(),
});

export const TaskRefSchema = z.object({ id: z.string(), status: TaskStatusSchema });

export const TaskListSchema = z.object({
  tasks: z.array(TaskInfoSchema),
  next: z.string().nullable().describe('The `after` of the next page, or null on the last page.'),
});

export const LogPageSchema = z.object({
  lines: z.array(z.string()),
  from: z.number().int(),
  next: z.number().int().describe('Ask for `from=next` to continue.'),
  complete: z.boolean().describe('True once the task has ended and no line lies past `next`.'),
});

export const ResultSetListSchema = z.object({ resultSets: z.array(ResultSetMetaSchema) });

export const RowsPageSchema = z
  .object({
    columns: z.array(ColumnSchema),
    rows: z.array(z.array(z.unknown())),
    offset: z.number().int(),
    next: z
      .number()
      .int()
      .nullable()
      .describe('The next page offset; null once the set is complete and read to its end.'),
  })
  .describe('A page of a TABLE result set.');

export const InlineResultSchema = z
  .object({
    index: z.number().int(),
    type: z.enum(RESULT_SET_TYPES),
    columns: z.array(ColumnSchema).optional().describe('TABLE only.'),
    rows: z.array(z.array(z.unknown())).optional().describe('TABLE only: the first rows (at most 1000).'),
    text: z.string().optional().describe('TEXT / HTML only: the first bytes of the content, whole characters.'),
    mimeType: z.string().optional().describe('PICTURE only: its bytes are read from the result route.'),
    offset: z.number().int().describe('Always 0: the first page.'),
    next: z
      .number()
      .int()
      .nullable()
      .describe(
        'Where the result route continues (rows for TABLE, UTF-8 bytes for TEXT / HTML); null when this is all.',
      ),
  })
  .describe('The first page of one result set, inline in a one-request answer.');

export const OneRequestTaskSchema = TaskInfoSchema.extend({
  results: z
    .array(InlineResultSchema)
    .describe('The first page of each result set: at most 1000 rows per TABLE and 1 MiB of results in all.'),
}).describe('A task that ended within `?wait=`, with its results inline.');

export const TextResultSchema = z
  .object({
    text: z.string(),
    offset: z.number().int().describe('The UTF-8 byte offset of this page.'),
    next: z.number().int().nullable().describe('The offset of the next page, or null at the end of a complete set.'),
  })
  .describe('A page of a TEXT or HTML result set.');

export const LockGrantSchema = z.object({
  lock: z.string(),
  expiresAt: isoTime,
  enforced: z.boolean().describe('False on executors that ignore locks (concurrent, async).'),
});

export const UnlockedSchema = z.object({ unlocked: z.literal(true) });

export const ShutdownAcceptedSchema = z.object({ id: z.string(), status: NodeStatusSchema });

export const HealthAnswerSchema = z.object({ health: HealthSchema, status: NodeStatusSchema });

export const LivenessSchema = z.object({ status: z.literal('ok') });

export const ReadinessSchema = z.object({ ready: z.boolean(), status: NodeStatusSchema });

/** The `data` of each task event, on SSE and on the WebSocket alike. */
export const TaskEventDataSchemas = {
  status: z.object({ status: TaskStatusSchema, at: isoTime, error: ErrorBodySchema.optional() }),
  progress: z.object({ progress: z.number(), progressInfo: z.array(ProgressInfoSchema) }),
  log: z
    .object({ from: z.number().int(), lines: z.array(z.string()) })
    .describe('A batch of consecutive lines: lines[i] is log line from + i.'),
  resultSet: ResultSetMetaSchema,
  done: z.object({ status: z.enum(TERMINAL_TASK_STATUSES), error: ErrorBodySchema.optional(), finishedAt: isoTime }),
} as const;
