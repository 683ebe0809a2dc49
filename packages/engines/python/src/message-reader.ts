import type { Readable } from 'node:stream';

/**
 * Reads the driver's messages (one JSON object per line) and hands them to `handle` one at a time,
 * awaiting each: while a result is being written the pipe is not read, so the driver waits too.
 * A line that is not JSON is passed to `onBadLine` (it would mean a bug in the driver).
 */
export async function readMessages(
  stream: Readable,
  handle: (message: Record<string, unknown>) => Promise<void>,
  onBadLine: (line: string) => void,
): Promise<void> {
  let parts: Buffer[] = [];
  const dispatch = async (line: string) => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      onBadLine(line);
      return;
    }
    if (typeof message === 'object' && message !== null) await handle(message as Record<string, unknown>);
    else onBadLine(line);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(10); end >= 0; end = chunk.indexOf(10, start)) {
        parts.push(chunk.subarray(start, end));
        const line = Buffer.concat(parts).toString('utf8');
        parts = [];
        start = end + 1;
        await dispatch(line);
      }
      if (start < chunk.length) parts.push(chunk.subarray(start));
    }
  } catch {
    // The pipe was destroyed because the interpreter is gone; its exit is reported by the caller.
  }
}
