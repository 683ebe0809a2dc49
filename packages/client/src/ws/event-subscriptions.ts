import type { WsClientMessage, WsServerMessage } from '@engineconn/protocol';
import { isErrorCode, TASK_EVENT_NAMES, type TaskEventName } from '@engineconn/protocol/constants';

const isTaskEventName = (name: unknown): name is TaskEventName =>
  typeof name === 'string' && (TASK_EVENT_NAMES as readonly string[]).includes(name);

/**
 * What a resuming event socket on `GET /api/v1/events` remembers apart from the connection: the
 * tasks it follows (or `'*'`), the last sequence number seen of each, and which have ended. It says
 * what to send on each (re)connect and which server messages reach the reader, so the reader sees
 * every event once, in order per task, across drops. No I/O and no Node API: the SDK's EventSocket
 * runs it over `ws`, the web console over the browser's WebSocket.
 */
export class EventSubscriptions {
  /** taskId → last sequence seen; `done` once its `done` event arrived. */
  readonly #tasks = new Map<string, { last: number; done: boolean }>();
  #all = false;

  /**
   * Follows one task from `after` (0 = from the start), or with `'*'` all the caller's unfinished and
   * future tasks. Returns the message to send.
   */
  subscribe(taskId: string, after = 0): WsClientMessage {
    if (taskId === '*') this.#all = true;
    else this.#tasks.set(taskId, { last: after, done: false });
    return { type: 'subscribe', taskId, ...(taskId === '*' || after === 0 ? {} : { after }) };
  }

  /** Stops following a task (or `'*'`). Returns the message to send. */
  unsubscribe(taskId: string): WsClientMessage {
    if (taskId === '*') this.#all = false;
    else this.#tasks.delete(taskId);
    return { type: 'unsubscribe', taskId };
  }

  /** The messages that renew the subscriptions on a new connection: each unfinished task after its last event. */
  resume(): WsClientMessage[] {
    const messages: WsClientMessage[] = [];
    for (const [taskId, state] of this.#tasks) {
      if (!state.done) messages.push({ type: 'subscribe', taskId, after: state.last });
    }
    if (this.#all) messages.push({ type: 'subscribe', taskId: '*' });
    return messages;
  }

  /** Whether a subscription is left to renew: a socket with none closes instead of reconnecting. */
  get unfinished(): boolean {
    return this.#all || [...this.#tasks.values()].some((state) => !state.done);
  }

  /**
   * A message the server sent, as the reader gets it, or null when it gets nothing: not a message, an
   * event of a task not followed or already seen, or a slow-consumer notice (the close that follows
   * it reconnects and resumes, so the reader need not know). An error about one subscription ends it.
   */
  accept(text: string): WsServerMessage | null {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return null;
    }
    if (message.type === 'event') {
      const { taskId, seq, event, data } = message;
      if (typeof taskId !== 'string' || typeof seq !== 'number' || !isTaskEventName(event)) return null;
      let state = this.#tasks.get(taskId);
      if (!state) {
        if (!this.#all) return null;
        state = { last: 0, done: false };
        this.#tasks.set(taskId, state);
      }
      if (seq <= state.last) return null;
      state.last = seq;
      if (event === 'done') state.done = true;
      return { type: 'event', taskId, seq, event, data } as WsServerMessage;
    }
    if (message.type !== 'error' || message.code === 'EC_SLOW_CONSUMER') return null;
    const error: WsServerMessage = {
      type: 'error',
      code: isErrorCode(message.code) ? message.code : 'EC_INTERNAL',
      message: typeof message.message === 'string' ? message.message : 'event socket error',
    };
    if (typeof message.taskId === 'string') {
      error.taskId = message.taskId;
      // The server dropped that subscription: do not renew it on reconnect.
      this.#tasks.delete(message.taskId);
    }
    return error;
  }
}
