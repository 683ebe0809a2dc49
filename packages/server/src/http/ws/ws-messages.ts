import { z } from 'zod';

/*
 * The messages of `GET /api/v1/events` (docs/api.md). Clients send `subscribe` / `unsubscribe`; the
 * server sends `event` and `error`. Defined once here: the socket validates with them and the
 * OpenAPI document describes them.
 */

const taskId = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .describe('A task id, or "*" for all your unfinished tasks and every task you submit later.');

export const WsSubscribeSchema = z.strictObject({
  type: z.literal('subscribe'),
  taskId,
  after: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be at least 0')
    .optional()
    .describe('Resume after this sequence number (the last one you received); default 0 = from the start.'),
});

export const WsUnsubscribeSchema = z.strictObject({ type: z.literal('unsubscribe'), taskId });

export const WsClientMessageSchema = z
  .discriminatedUnion('type', [WsSubscribeSchema, WsUnsubscribeSchema], {
    error: 'needs "type": "subscribe" or "unsubscribe"',
  })
  .describe('A message a client sends on GET /api/v1/events.');

export type WsClientMessage = z.infer<typeof WsClientMessageSchema>;

export const WsEventMessageSchema = z
  .object({
    type: z.literal('event'),
    taskId: z.string(),
    seq: z.number().int().min(1).describe('Per-task sequence number, from 1.'),
    event: z.enum(['status', 'progress', 'log', 'resultSet', 'done']),
    data: z.unknown().describe('As the SSE event of the same name.'),
  })
  .describe('One task event.');

export const WsErrorMessageSchema = z
  .object({
    type: z.literal('error'),
    code: z.string().describe('An EC_* code.'),
    message: z.string(),
    taskId: z.string().optional().describe('The subscription the error concerns, when there is one.'),
  })
  .describe('A problem with a message or subscription; the socket stays open unless the code is EC_SLOW_CONSUMER.');

/** Close codes the server uses besides the standard ones. */
export const WS_CLOSE_CODES = {
  /** The client fell too far behind; reconnect and resubscribe after the last seq received. */
  slowConsumer: 4008,
} as const;

/** `'after' must be a whole number` style text for an invalid client message. */
export function describeMessageError(error: z.ZodError): string {
  const problems = error.issues.slice(0, 3).map((issue) => {
    if (issue.code === 'unrecognized_keys')
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    const path = issue.path.map(String).join('.');
    return path ? `'${path}' ${issue.message}` : issue.message;
  });
  return `Invalid message: ${problems.join('; ')}. Send {"type": "subscribe", "taskId": "<id>" or "*", "after"?: <seq>} or {"type": "unsubscribe", "taskId": "<id>" or "*"}.`;
}
