import { z } from 'zod';
import { TaskEventSchema } from '../events/task-events.js';
import { named } from '../http/components.js';
import { describeIssues, typeError } from '../http/field-errors.js';
import { ErrorCodeSchema } from '../http/responses.js';

/*
 * The messages of `GET /api/v1/events` (docs/api.md#websocket-get-apiv1events). Clients send `subscribe` / `unsubscribe`; the
 * server sends `event` and `error`. The socket validates with these, the client types its messages
 * with them and the OpenAPI document describes them.
 */

const taskId = z
  .string({ error: typeError('a string') })
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

export const WsClientMessageSchema = named(
  'WsClientMessage',
  z
    .discriminatedUnion('type', [WsSubscribeSchema, WsUnsubscribeSchema], {
      error: 'needs "type": "subscribe" or "unsubscribe"',
    })
    .describe('A message a client sends on GET /api/v1/events.'),
);
export type WsClientMessage = z.infer<typeof WsClientMessageSchema>;

export const WsEventMessageSchema = named(
  'WsEventMessage',
  z
    .intersection(z.object({ type: z.literal('event'), taskId: z.string() }), TaskEventSchema)
    .describe('One task event, as the SSE event of the same name, with its task.'),
);
export type WsEventMessage = z.infer<typeof WsEventMessageSchema>;

export const WsErrorMessageSchema = named(
  'WsErrorMessage',
  z
    .object({
      type: z.literal('error'),
      code: ErrorCodeSchema,
      message: z.string(),
      taskId: z.string().optional().describe('The subscription the error concerns, when there is one.'),
    })
    .describe('A problem with a message or subscription; the socket stays open unless the code is EC_SLOW_CONSUMER.'),
);
export type WsErrorMessage = z.infer<typeof WsErrorMessageSchema>;

export const WsServerMessageSchema = z.union([WsEventMessageSchema, WsErrorMessageSchema]);
export type WsServerMessage = z.infer<typeof WsServerMessageSchema>;

/** `Invalid message: 'after' must be a whole number. Send …`: the answer to a message that does not parse. */
export function describeMessageError(error: z.ZodError): string {
  return `Invalid message: ${describeIssues(error)}. Send {"type": "subscribe", "taskId": "<id>" or "*", "after"?: <seq>} or {"type": "unsubscribe", "taskId": "<id>" or "*"}.`;
}
