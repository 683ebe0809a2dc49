import type { Readable } from 'node:stream';
import { type DriverMessage, parseDriverMessage } from './driver-protocol.js';

/**
 * Reads the driver's messages (one JSON object per line), validates each against the protocol and
 * hands it to `handle` one at a time, awaiting each: while a result is being written the pipe is not
 * read, so the driver waits too. A line that is not a protocol message goes to `onBadLine` with why.
 */
export async function readMessages(
  stream: Readable,
  handle: (message: DriverMessage) => Promise<void>,
  onBadLine: (line: string, why: string) => void,
): Promise<void> {
  let parts: Buffer[] = [];
  const dispatch = async (line: string) => {
    const parsed = parseDriverMessage(line);
    if (parsed.ok) await handle(parsed.message);
    else onBadLine(line, parsed.why);
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
