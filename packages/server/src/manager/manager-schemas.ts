import { EXECUTOR_KINDS, HEALTH_STATES, NODE_STATUSES } from '@engineconn/core';
import { z } from 'zod';
import { SubmitRequestSchema } from '../http/schemas.js';

/*
 * The manager's wire types (DESIGN §11), one source for the routes, the registry and the clients.
 */

/** An engine's status as the manager sees it: the EC's NodeStatus, or Lost once it is gone or silent. */
export const ENGINE_STATUSES = [...NODE_STATUSES, 'Lost'] as const;
export type EngineStatus = (typeof ENGINE_STATUSES)[number];

const labelKey = z
  .string()
  .min(1, 'must not be empty')
  .regex(/^[^=\s]+$/, 'must not contain = or spaces');
const stringRecord = z.record(labelKey, z.string({ error: 'must be a string' }));

export const AskRequestSchema = z
  .strictObject({
    engineType: z.string({ error: 'is required' }).min(1, 'must not be empty'),
    labels: stringRecord.optional().describe('Labels the engine must carry, e.g. {"creator": "etl"}.'),
    executor: z.enum(EXECUTOR_KINDS.filter((k) => k !== 'once') as ['serial', 'concurrent', 'async']).optional(),
    conf: stringRecord.optional().describe("The engine's --conf options; engines are reused only with the same conf."),
    reuse: z.boolean().default(true).describe('false always launches a fresh engine.'),
  })
  .describe('POST /api/v1/engines/ask');
export type AskRequest = z.infer<typeof AskRequestSchema>;

export const JobRequestSchema = z
  .strictObject({
    engineType: z.string({ error: 'is required' }).min(1, 'must not be empty'),
    code: SubmitRequestSchema.shape.code,
    labels: stringRecord.optional(),
    executor: AskRequestSchema.shape.executor,
    conf: stringRecord.optional(),
    runType: SubmitRequestSchema.shape.runType,
    properties: SubmitRequestSchema.shape.properties,
  })
  .describe('POST /api/v1/jobs');
export type JobRequest = z.infer<typeof JobRequestSchema>;

/** `engine` of DESIGN §11. */
export const EngineSchema = z.object({
  id: z.string(),
  url: z.string().nullable(),
  user: z.string(),
  engineType: z.string(),
  executor: z.enum(EXECUTOR_KINDS),
  labels: z.record(z.string(), z.string()),
  status: z.enum(ENGINE_STATUSES),
  health: z.enum(HEALTH_STATES),
  pid: z.number().int(),
  startedAt: z.string(),
  lastHeartbeatAt: z.string().nullable(),
  running: z.number().int(),
  queued: z.number().int(),
  /** Why it is Lost; absent otherwise. */
  lostReason: z.string().optional(),
});
export type Engine = z.infer<typeof EngineSchema>;

export const AskAnswerSchema = z.object({
  engine: EngineSchema.extend({ token: z.string() }),
  reused: z.boolean(),
});
export type AskAnswer = z.infer<typeof AskAnswerSchema>;

export const JobRefSchema = z.object({
  id: z.string(),
  engineId: z.string(),
  taskId: z.string(),
  status: z.string(),
});
export type JobRef = z.infer<typeof JobRefSchema>;

export const EngineParamsSchema = z.object({ id: z.string().min(1) });
