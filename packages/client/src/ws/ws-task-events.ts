import type { TaskEvent } from '@engineconn/protocol';
import type { HttpTransport } from '../http/http-transport.js';
import { EventSocket, subscriptionError } from './event-socket.js';

/**
 * Follows one task's events over its own WebSocket from `after`, resuming after drops (see
 * `EventSocket`). Ends after `done`; throws the server's error when the subscription is refused.
 */
export async function* wsTaskEvents(
  http: HttpTransport,
  taskId: string,
  after: number,
  signal?: AbortSignal,
): AsyncGenerator<TaskEvent> {
  const socket = new EventSocket(http, { signal });
  socket.subscribe(taskId, after);
  try {
    for await (const item of socket) {
      if (item.type === 'error') {
        if (item.taskId === undefined || item.taskId === taskId) throw subscriptionError(item);
        continue;
      }
      const { taskId: _, type: __, ...event } = item;
      yield event as TaskEvent;
      if (event.event === 'done') return;
    }
  } finally {
    socket.close();
  }
}
