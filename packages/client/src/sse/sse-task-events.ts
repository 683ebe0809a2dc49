import type { TaskEvent } from '@engineconn/protocol';
import { isErrorCode, TASK_EVENT_NAMES, type TaskEventName } from '@engineconn/protocol/constants';
import { EngineConnClientError } from '../errors/engine-conn-client-error.js';
import type { HttpTransport } from '../http/http-transport.js';
import { backoffDelay, sleep } from '../retry/backoff.js';
import { parseSseStream } from './sse-parser.js';

const isTaskEventName = (name: string): name is TaskEventName => (TASK_EVENT_NAMES as readonly string[]).includes(name);

/**
 * Follows a task's event stream (`GET /api/v1/tasks/:id/events`, at `path`) from `after`, reconnecting with jittered backoff and
 * `Last-Event-ID` whenever the stream breaks before `done`. Each event is yielded exactly once, in
 * sequence order: anything at or below the last sequence seen is dropped. Ends after `done`.
 */
export async function* sseTaskEvents(
  http: HttpTransport,
  path: string,
  after: number,
  signal?: AbortSignal,
): AsyncGenerator<TaskEvent> {
  let last = after;
  let attempt = 0;
  for (;;) {
    let failure: unknown;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (last > 0) headers['last-event-id'] = String(last);
      const response = await http.request('GET', path, { headers, signal });
      if (!response.body)
        throw new EngineConnClientError('EC_INTERNAL', response.status, 'The event stream had no body.');
      for await (const message of parseSseStream(response.body)) {
        if (message.event === 'error') throw streamError(message.data, response.status);
        if (!isTaskEventName(message.event)) continue;
        const seq = Number(message.id);
        if (!Number.isSafeInteger(seq) || seq <= last) continue;
        last = seq;
        attempt = 0;
        const event = { seq, event: message.event, data: JSON.parse(message.data) } as TaskEvent;
        yield event;
        if (event.event === 'done') return;
      }
      failure = EngineConnClientError.unreachable(
        http.baseUrl,
        new Error('the event stream ended before the task did'),
      );
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof SyntaxError) {
        throw new EngineConnClientError('EC_INTERNAL', 200, `A malformed event arrived on ${path}: ${err.message}`);
      }
      failure = err instanceof EngineConnClientError ? err : EngineConnClientError.unreachable(http.baseUrl, err);
    }
    if (!(failure instanceof EngineConnClientError && failure.transient) || attempt >= http.retry.retries)
      throw failure;
    await sleep(backoffDelay(attempt++, http.retry), signal);
  }
}

function streamError(data: string, status: number): EngineConnClientError {
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(data) as typeof body;
  } catch {
    body = { message: data };
  }
  const code = isErrorCode(body.code) ? body.code : 'EC_INTERNAL';
  return new EngineConnClientError(
    code,
    status,
    typeof body.message === 'string' ? body.message : 'event stream error',
  );
}
