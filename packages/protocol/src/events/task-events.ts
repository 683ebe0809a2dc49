import { z } from 'zod';
import { named } from '../http/components.js';
import {
  ErrorBodySchema,
  IsoTimeSchema,
  ProgressInfoSchema,
  ResultSetMetaSchema,
  TaskStatusSchema,
} from '../http/responses.js';
import { TERMINAL_TASK_STATUSES } from '../status/task-status.js';
import type { TaskEventName } from './task-event-names.js';

/** The `data` of each task event, on SSE and on the WebSocket alike (docs/api.md#task-events). */
export const TaskEventDataSchemas = {
  status: named(
    'StatusEventData',
    z.object({ status: TaskStatusSchema, at: IsoTimeSchema, error: ErrorBodySchema.optional() }),
  ),
  progress: named('ProgressEventData', z.object({ progress: z.number(), progressInfo: z.array(ProgressInfoSchema) })),
  log: named(
    'LogEventData',
    z
      .object({ from: z.number().int(), lines: z.array(z.string()) })
      .describe('A batch of consecutive lines: lines[i] is log line from + i.'),
  ),
  resultSet: ResultSetMetaSchema,
  done: named(
    'DoneEventData',
    z.object({ status: z.enum(TERMINAL_TASK_STATUSES), error: ErrorBodySchema.optional(), finishedAt: IsoTimeSchema }),
  ),
} as const satisfies Record<TaskEventName, z.ZodType>;

export type TaskEventData = { [K in TaskEventName]: z.infer<(typeof TaskEventDataSchemas)[K]> };

const SeqSchema = z.number().int().min(1).describe('Per-task sequence number, from 1; resume after it.');

const eventOf = <K extends TaskEventName>(event: K) =>
  z.object({ seq: SeqSchema, event: z.literal(event), data: TaskEventDataSchemas[event] });

/** One task event; checking `event` narrows `data`. */
export const TaskEventSchema = z.discriminatedUnion('event', [
  eventOf('status'),
  eventOf('progress'),
  eventOf('log'),
  eventOf('resultSet'),
  eventOf('done'),
]);

/** One event of kind K: `seq` (per task, from 1; `Last-Event-ID` / `after` resume after it), `event`, `data`. */
export type TaskEventOf<K extends TaskEventName> = z.infer<ReturnType<typeof eventOf<K>>>;

/** A per-task event; checking `event` narrows `data`. */
export type TaskEvent<K extends TaskEventName = TaskEventName> = { [E in K]: TaskEventOf<E> }[K];
