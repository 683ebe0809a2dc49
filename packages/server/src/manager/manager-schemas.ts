import { AskRequestSchema } from '@engineconn/core/manager';
import { z } from 'zod';
import { SubmitRequestSchema } from '../http/schemas.js';

// The manager's request schemas that build on the EngineConn's own; the rest of its wire types are
// in @engineconn/core/manager, shared with the clients.

export const JobRequestSchema = z
  .strictObject({
    engineType: z.string({ error: 'is required' }).min(1, 'must not be empty'),
    code: SubmitRequestSchema.shape.code,
    labels: AskRequestSchema.shape.labels,
    executor: AskRequestSchema.shape.executor,
    conf: AskRequestSchema.shape.conf,
    runType: SubmitRequestSchema.shape.runType,
    properties: SubmitRequestSchema.shape.properties,
  })
  .describe('POST /api/v1/jobs');
export type JobRequest = z.infer<typeof JobRequestSchema>;

export const EngineParamsSchema = z.object({ id: z.string().min(1) });
