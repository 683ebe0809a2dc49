import { z } from 'zod';
import { named } from '../http/components.js';
import { typeError } from '../http/field-errors.js';
import { SubmitRequestSchema } from '../http/requests.js';
import { ExecutorKindSchema, HealthSchema, IsoTimeSchema, TaskInfoSchema } from '../http/responses.js';
import { LAUNCHABLE_EXECUTOR_KINDS } from '../status/executor-kind.js';
import { ENGINE_STATUSES } from '../status/node-status.js';

/*
 * The manager's HTTP API (docs/manager.md): one source for the manager's routes and registry and for
 * the clients (ManagerClient, the CLI, the console).
 */

const labelKey = z
  .string()
  .min(1, 'must not be empty')
  .regex(/^[^=\s]+$/, 'must not contain = or spaces');
const stringRecord = z.record(labelKey, z.string({ error: 'must be a string' }));
const engineType = z.string({ error: typeError('a string') }).min(1, 'must not be empty');

export const AskRequestSchema = named(
  'AskRequest',
  z
    .strictObject({
      engineType,
      labels: stringRecord.optional().describe('Labels the engine must carry, e.g. {"creator": "etl"}.'),
      executor: z.enum(LAUNCHABLE_EXECUTOR_KINDS).optional(),
      conf: stringRecord
        .optional()
        .describe("The engine's --conf options; engines are reused only with the same conf."),
      reuse: z.boolean().default(true).describe('false always launches a fresh engine.'),
    })
    .meta({ description: 'POST /api/v1/engines/ask', examples: [{ engineType: 'duckdb' }] }),
);
export type AskRequest = z.infer<typeof AskRequestSchema>;
/** What a client sends (`reuse` may be left out). */
export type AskRequestInput = z.input<typeof AskRequestSchema>;

/** The `engine` a manager's routes answer with (docs/manager.md). */
export const EngineSchema = named(
  'Engine',
  z.object({
    id: z.string(),
    url: z.string().nullable(),
    user: z.string(),
    engineType: z.string(),
    executor: ExecutorKindSchema,
    labels: z.record(z.string(), z.string()),
    status: z.enum(ENGINE_STATUSES),
    health: HealthSchema,
    pid: z.number().int(),
    startedAt: IsoTimeSchema,
    lastHeartbeatAt: IsoTimeSchema.nullable(),
    running: z.number().int(),
    queued: z.number().int(),
    lostReason: z.string().optional().describe('Why it is Lost; absent otherwise.'),
  }),
);
export type Engine = z.infer<typeof EngineSchema>;

export const EngineListSchema = named('EngineList', z.object({ engines: z.array(EngineSchema) }));
export type EngineList = z.infer<typeof EngineListSchema>;

export const AskAnswerSchema = named(
  'AskAnswer',
  z.object({
    engine: EngineSchema.extend({ token: z.string().describe("A token for the engine's own API.") }),
    reused: z.boolean(),
  }),
);
export type AskAnswer = z.infer<typeof AskAnswerSchema>;

export const EngineStoppingSchema = named('EngineStopping', z.object({ id: z.string(), stopping: z.literal(true) }));

export const EngineParamsSchema = z.object({ id: z.string().min(1, 'must not be empty') });

export const JobRequestSchema = named(
  'JobRequest',
  z
    .strictObject({
      engineType,
      code: SubmitRequestSchema.shape.code,
      labels: AskRequestSchema.shape.labels,
      executor: AskRequestSchema.shape.executor,
      conf: AskRequestSchema.shape.conf,
      runType: SubmitRequestSchema.shape.runType,
      properties: SubmitRequestSchema.shape.properties,
    })
    .meta({ description: 'POST /api/v1/jobs', examples: [{ engineType: 'duckdb', code: 'select 42 as answer' }] }),
);
/** A job to run: the engine to ask for, and the task to submit to it. */
export type JobRequest = z.infer<typeof JobRequestSchema>;

export const JobRefSchema = named(
  'JobRef',
  z.object({
    id: z.string(),
    engineId: z.string(),
    taskId: z.string(),
    status: z.string(),
  }),
);
export type JobRef = z.infer<typeof JobRefSchema>;

/** A job as `GET /api/v1/jobs/:id` shows it: its task's info with `id` the job's, and where it runs. */
export const JobViewSchema = named('JobView', TaskInfoSchema.extend({ engineId: z.string(), taskId: z.string() }));
export type JobView = z.infer<typeof JobViewSchema>;

/** A job in `GET /api/v1/jobs`: its status once it ended (a running job's is read from the job). */
export const JobSummarySchema = named(
  'JobSummary',
  z.object({
    id: z.string(),
    engineId: z.string(),
    taskId: z.string(),
    createdAt: IsoTimeSchema,
    status: z.string().nullable(),
  }),
);
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JobListSchema = named('JobList', z.object({ jobs: z.array(JobSummarySchema).describe('Newest first.') }));
export type JobList = z.infer<typeof JobListSchema>;

/** The answer to an engine's report (docs/manager.md). */
export const ReportAcceptedSchema = named('ReportAccepted', z.object({ ok: z.literal(true) }));

/** The manager's `GET /readyz`: it serves once it answers at all. */
export const ManagerReadinessSchema = named('ManagerReadiness', z.object({ ready: z.literal(true) }));
