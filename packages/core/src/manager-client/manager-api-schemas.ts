import { z } from 'zod';
import { EXECUTOR_KINDS } from '../plugin/engine-plugin.js';
import { HEALTH_STATES } from '../status/health.js';
import { NODE_STATUSES } from '../status/node-status.js';

/*
 * The manager's wire types (docs/manager.md): one source for the manager's routes and registry and for
 * the clients (ManagerClient, the CLI, the console).
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
/** What a client sends (`reuse` may be left out). */
export type AskRequestInput = z.input<typeof AskRequestSchema>;

/** The `engine` a manager's routes answer with (docs/manager.md). */
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
