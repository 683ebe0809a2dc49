import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import { EXECUTOR_KINDS } from '../status/executor-kind.js';
import { HEALTH_STATES } from '../status/health.js';
import { NODE_STATUSES } from '../status/node-status.js';
import { TASK_STATUSES } from '../status/task-status.js';
import { named } from './components.js';
import { RESULT_SET_TYPES } from './limits.js';

/*
 * The answers of the EngineConn's HTTP API (docs/api.md#routes), defined once: core, the server and the
 * client take their types from them, the OpenAPI document is generated from them, and the tests
 * check that real answers parse.
 */

export const IsoTimeSchema = z.string().describe('ISO 8601 time');

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const ErrorBodySchema = z.object({ code: ErrorCodeSchema, message: z.string() });
/** The `error` of every failure, and of a failed task. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const ErrorResponseSchema = named(
  'ErrorResponse',
  z
    .object({ error: ErrorBodySchema })
    .describe('Every failure: an HTTP status and a stable EC_* code (see docs/errors.md).'),
);
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const TaskStatusSchema = z.enum(TASK_STATUSES);
export const NodeStatusSchema = z.enum(NODE_STATUSES);
export const HealthSchema = z.enum(HEALTH_STATES);
export const ExecutorKindSchema = z.enum(EXECUTOR_KINDS);

export const ColumnSchema = named(
  'Column',
  z.object({
    name: z.string(),
    type: z.string().describe("The engine's own type name, e.g. INTEGER, VARCHAR, text."),
  }),
);
export type Column = z.infer<typeof ColumnSchema>;

export const ProgressInfoSchema = named(
  'ProgressInfo',
  z
    .object({
      id: z.string(),
      totalTasks: z.number(),
      runningTasks: z.number(),
      failedTasks: z.number(),
      succeedTasks: z.number(),
    })
    .describe("Linkis' progressInfo entry: one stage or sub-job of a task."),
);
export type ProgressInfo = z.infer<typeof ProgressInfoSchema>;

export const ResultSetMetaSchema = named(
  'ResultSetMeta',
  z.object({
    index: z.number().int(),
    type: z.enum(RESULT_SET_TYPES),
    columns: z.array(ColumnSchema).optional().describe('TABLE only.'),
    rowCount: z.number().int().describe('Rows for TABLE; 0 for the other types.'),
    byteCount: z.number().int().describe('Bytes of TEXT / HTML / PICTURE content.'),
    mimeType: z.string().optional().describe('PICTURE only, e.g. image/png.'),
    complete: z.boolean().describe('False while the engine is still writing it.'),
    truncated: z
      .boolean()
      .optional()
      .describe(
        'True when the task ended (killed, failed, timed out) while this set was being written: the rows are only a prefix.',
      ),
  }),
);
export type ResultSetMeta = z.infer<typeof ResultSetMetaSchema>;

export const TaskInfoSchema = named(
  'TaskInfo',
  z
    .object({
      id: z.string(),
      owner: z.string(),
      status: TaskStatusSchema,
      runType: z.string(),
      progress: z.number().min(0).max(1),
      progressInfo: z.array(ProgressInfoSchema),
      statements: z.object({ total: z.number().int(), current: z.number().int() }),
      createdAt: IsoTimeSchema,
      startedAt: IsoTimeSchema.nullable(),
      finishedAt: IsoTimeSchema.nullable(),
      error: ErrorBodySchema.optional(),
      resultSets: z.array(ResultSetMetaSchema),
      labels: z.record(z.string(), z.string()),
      logLines: z.number().int(),
    })
    .describe('A task as the API shows it (GET /api/v1/tasks/:id).'),
);
export type TaskInfo = z.infer<typeof TaskInfoSchema>;

export const OverloadInfoSchema = z.object({
  maxMemory: z.number().describe('Bytes this process may use before it reports itself overloaded.'),
  usedMemory: z.number().describe('Resident set size, bytes.'),
  systemCpuUsed: z.number().describe('System CPU use over the last sample, 0..1.'),
  systemLeftMemory: z.number().describe('Free system memory, bytes.'),
});
export type OverloadInfo = z.infer<typeof OverloadInfoSchema>;

export const EngineConnInfoSchema = named(
  'EngineConnInfo',
  z
    .object({
      id: z.string(),
      engineType: z.string(),
      engineVersion: z.string(),
      executor: ExecutorKindSchema,
      status: NodeStatusSchema,
      health: HealthSchema,
      owner: z.string(),
      labels: z.record(z.string(), z.string()),
      concurrency: z.object({ limit: z.number().int(), running: z.number().int(), queued: z.number().int() }),
      overload: OverloadInfoSchema,
      startedAt: IsoTimeSchema,
      lastActivityAt: IsoTimeSchema,
      pid: z.number().int(),
      url: z.string().optional().describe('Set once the HTTP server listens.'),
      lock: z.object({ held: z.boolean(), expiresAt: IsoTimeSchema.optional() }).optional(),
    })
    .describe('GET /api/v1/engineconn'),
);
export type EngineConnInfo = z.infer<typeof EngineConnInfoSchema>;

export const TaskRefSchema = named('TaskRef', z.object({ id: z.string(), status: TaskStatusSchema }));
/** `POST /api/v1/tasks` and `POST /api/v1/tasks/:id/kill` answers. */
export type TaskRef = z.infer<typeof TaskRefSchema>;

export const TaskListSchema = named(
  'TaskList',
  z.object({
    tasks: z.array(TaskInfoSchema),
    next: z.string().nullable().describe('The `after` of the next page, or null on the last page.'),
  }),
);
export type TaskList = z.infer<typeof TaskListSchema>;

export const LogPageSchema = named(
  'LogPage',
  z.object({
    lines: z.array(z.string()),
    from: z.number().int(),
    next: z.number().int().describe('Ask for `from=next` to continue.'),
    complete: z.boolean().describe('True once the task has ended and no line lies past `next`.'),
  }),
);
/** `GET /api/v1/tasks/:id/logs`. */
export type LogPage = z.infer<typeof LogPageSchema>;

export const ResultSetListSchema = named('ResultSetList', z.object({ resultSets: z.array(ResultSetMetaSchema) }));
export type ResultSetList = z.infer<typeof ResultSetListSchema>;

export const RowsPageSchema = named(
  'RowsPage',
  z
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
    .describe('A page of a TABLE result set.'),
);
export type RowsPage = z.infer<typeof RowsPageSchema>;

export const InlineResultSchema = named(
  'InlineResult',
  z
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
    .describe('The first page of one result set, inline in a one-request answer.'),
);
export type InlineResult = z.infer<typeof InlineResultSchema>;

export const OneRequestTaskSchema = named(
  'OneRequestTask',
  TaskInfoSchema.extend({
    results: z
      .array(InlineResultSchema)
      .describe('The first page of each result set: at most 1000 rows per TABLE and 1 MiB of results in all.'),
  }).describe('A task that ended within `?wait=`, with its results inline.'),
);
/** The 200 answer of `POST /api/v1/tasks?wait=`: the task, which ended in the wait, and its first pages. */
export type CompletedTask = z.infer<typeof OneRequestTaskSchema>;

export const TextResultSchema = named(
  'TextResult',
  z
    .object({
      text: z.string(),
      offset: z.number().int().describe('The UTF-8 byte offset of this page.'),
      next: z.number().int().nullable().describe('The offset of the next page, or null at the end of a complete set.'),
    })
    .describe('A page of a TEXT or HTML result set.'),
);
/** A page of a TEXT or HTML set: `offset` and `next` count UTF-8 bytes; a page never splits a character. */
export type TextResult = z.infer<typeof TextResultSchema>;

export const LockGrantSchema = named(
  'LockGrant',
  z.object({
    lock: z.string(),
    expiresAt: IsoTimeSchema,
    enforced: z
      .boolean()
      .describe('False on executors that ignore locks (concurrent, async): holding it reserves nothing.'),
  }),
);
export type LockGrant = z.infer<typeof LockGrantSchema>;

export const UnlockedSchema = named('Unlocked', z.object({ unlocked: z.literal(true) }));

export const ShutdownAcceptedSchema = named('ShutdownAccepted', z.object({ id: z.string(), status: NodeStatusSchema }));

export const HealthAnswerSchema = named('HealthAnswer', z.object({ health: HealthSchema, status: NodeStatusSchema }));
export type HealthAnswer = z.infer<typeof HealthAnswerSchema>;

export const LivenessSchema = named('Liveness', z.object({ status: z.literal('ok') }));

export const ReadinessSchema = named('Readiness', z.object({ ready: z.boolean(), status: NodeStatusSchema }));
