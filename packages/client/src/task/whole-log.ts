import type { TaskEvent } from '@engineconn/protocol';
import type { CallOptions, EngineConnClient } from '../engine-conn-client.js';

const PAGE_SIZE = 1000;

/** Log lines [from, until) of a task, read from its logs endpoint a page at a time (fewer if it has fewer). */
export async function* readLogLines(
  client: EngineConnClient,
  id: string,
  from: number,
  until: number,
  options: CallOptions = {},
): AsyncGenerator<string[]> {
  let next = from;
  while (next < until) {
    const page = await client.logs(id, {
      from: next,
      limit: Math.min(PAGE_SIZE, until - next),
      signal: options.signal,
    });
    if (page.lines.length === 0) return;
    next = page.from + page.lines.length;
    yield page.lines;
  }
}

/**
 * A task's events with every `log` event made whole: the lines a stream did not carry between two
 * batches (past the server's event window, or across a reconnect) are read from the logs endpoint
 * and put in front of the next batch, and lines already seen are dropped. Each `log` event's
 * `from` is where the previous one ended (starting at `from`), so no line is skipped or repeated.
 */
export async function* withWholeLog(
  client: EngineConnClient,
  id: string,
  events: AsyncIterable<TaskEvent>,
  options: CallOptions & { from?: number } = {},
): AsyncGenerator<TaskEvent> {
  let next = options.from ?? 0;
  for await (const event of events) {
    if (event.event !== 'log') {
      yield event;
      continue;
    }
    const { from, lines } = event.data;
    const start = next;
    const gap: string[] = [];
    if (from > next) for await (const page of readLogLines(client, id, next, from, options)) gap.push(...page);
    const fresh = lines.slice(Math.max(0, start + gap.length - from));
    next = Math.max(next + gap.length, from + lines.length);
    if (gap.length + fresh.length > 0) yield { ...event, data: { from: start, lines: [...gap, ...fresh] } };
  }
}
