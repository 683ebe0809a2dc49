import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { BadRequestError, type TaskEvent } from '@engineconn/core';
import { EventsQuerySchema, LastEventIdSchema } from '@engineconn/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TASK_BY_ID } from './context.js';
import { defineRoute } from './openapi/api-route.js';
import { parseInput } from './parse-input.js';
import { SLOW_CONSUMER_LIMITS, type SlowConsumerLimits, slowConsumerMessage } from './slow-consumer.js';

export interface SseOptions {
  /** How often a `: ping` comment keeps idle proxies from closing the stream. */
  heartbeatMs?: number;
  /** The slow-consumer bound, the same as the WebSocket's by default. */
  slowConsumer?: Partial<SlowConsumerLimits>;
  /** Called when a stream is cut off as a slow consumer (metrics, tests). */
  onSlowConsumer?: () => void;
}

export function formatSseEvent(event: TaskEvent): string {
  return `id: ${event.seq}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Where to resume: the `Last-Event-ID` header a reconnecting EventSource sends, else `?after=`, else 0. */
function resumeAfter(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header.trim() !== '') return parseInput(LastEventIdSchema, header.trim(), 'header');
  return parseInput(EventsQuerySchema, request.query, 'query').after ?? 0;
}

// A shared reason: abort() without one builds a DOMException and its stack for every stream
// (about 40 µs each, 2% of the EngineConn's CPU when every task is followed over SSE).
const STREAM_CLOSED = new Error('the event stream was closed');

/**
 * Resolves 'drained' once `res` holds at most `highWaterBytes` unsent, 'gone' if the client went
 * away, or 'stalled' if neither happened within `stallTimeoutMs`.
 */
async function drained(
  res: ServerResponse,
  signal: AbortSignal,
  limits: SlowConsumerLimits,
): Promise<'drained' | 'gone' | 'stalled'> {
  const stalled = AbortSignal.timeout(limits.stallTimeoutMs);
  const either = AbortSignal.any([signal, stalled]);
  try {
    while (res.writableLength > limits.highWaterBytes) await once(res, 'drain', { signal: either });
    return 'drained';
  } catch {
    return signal.aborted ? 'gone' : 'stalled';
  }
}

export const taskEventsRoute = defineRoute({
  tag: 'events',
  summary: 'The task events as Server-Sent Events',
  description:
    'Events `status`, `progress`, `log`, `resultSet` and `done` (the data schemas are the *EventData components; resultSet data is a ResultSetMeta). Each carries its sequence number as `id:`; reconnect with the `Last-Event-ID` header (or `?after=`) to resume without gap or repeat. The stream ends after `done`; `: ping` comments keep it alive. A reader that falls too far behind gets an `error` event with EC_SLOW_CONSUMER and the stream ends; resume after the last id.',
  ...TASK_BY_ID,
  query: EventsQuerySchema,
  answers: { 200: { description: 'An event stream', media: { 'text/event-stream': { schema: { type: 'string' } } } } },
});

/**
 * `GET /api/v1/tasks/:id/events`: the task's journal as Server-Sent Events. Every event carries its
 * sequence number as `id:`, so a reconnect with `Last-Event-ID` resumes without gap or duplicate.
 * The stream ends after `done`. Browsers' EventSource cannot send headers, so `?token=` is accepted too.
 */
export function registerSseRoute(app: FastifyInstance, options: SseOptions = {}): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const limits: SlowConsumerLimits = { ...SLOW_CONSUMER_LIMITS, ...options.slowConsumer };

  app.get(
    '/api/v1/tasks/:id/events',
    { config: { queryToken: true, api: taskEventsRoute }, exposeHeadRoute: false },
    async (request, reply) => {
      // Lookup and parsing happen before hijacking, so their errors still go out as JSON.
      const view = app.engineConn.taskOf(request);
      const after = resumeAfter(request);
      // As on the WebSocket: a resume point past the end is an error, not a silent wait.
      const last = view.journal.lastSeq;
      if (after > last) {
        throw new BadRequestError(
          `The resume point ${after} is beyond the last event of task '${view.id}' (seq ${last}); resume from the last id you received.`,
        );
      }

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      res.flushHeaders();

      const gone = new AbortController();
      res.on('close', () => gone.abort(STREAM_CLOSED));
      const heartbeat = setInterval(() => {
        if (!res.destroyed && !res.writableNeedDrain) res.write(': ping\n\n');
      }, heartbeatMs);
      heartbeat.unref();

      try {
        for await (const event of view.journal.follow(after, gone.signal)) {
          view.touch();
          if (res.write(formatSseEvent(event)) || res.writableLength <= limits.highWaterBytes) continue;
          const stalledAt = Date.now();
          const state = await drained(res, gone.signal, limits);
          if (state === 'drained') continue;
          if (state === 'stalled') {
            request.log.warn({ taskId: view.id, queued: res.writableLength }, 'event stream cut off: slow consumer');
            options.onSlowConsumer?.();
            const message = slowConsumerMessage(
              res.writableLength,
              Date.now() - stalledAt,
              `reconnect with Last-Event-ID (or ?after=) = the last id you received (seq ${event.seq} was queued).`,
            );
            res.write(`event: error\ndata: ${JSON.stringify({ code: 'EC_SLOW_CONSUMER', message })}\n\n`);
            // A client that does not read gets the message once it does, or is dropped after the grace.
            setTimeout(() => res.destroy(), limits.closeGraceMs).unref();
          }
          break;
        }
      } catch (err) {
        if (!gone.signal.aborted) {
          request.log.error({ err, taskId: view.id }, 'event stream failed');
          const message = err instanceof Error ? err.message : String(err);
          res.write(`event: error\ndata: ${JSON.stringify({ code: 'EC_INTERNAL', message })}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        res.end();
      }
    },
  );
}
