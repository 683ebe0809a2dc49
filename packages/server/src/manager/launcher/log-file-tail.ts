import { open } from 'node:fs/promises';

/** The last `lines` lines of a file (reading at most its last 64 KiB); [] when it cannot be read. */
export async function readLogTail(path: string, lines = 30): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-lines);
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}

/** The `failed to start: MESSAGE [EC_CODE]` line `engineconn start` prints when it gives up. */
export function startFailureOf(tail: readonly string[]): { message: string; code: string } | null {
  for (let i = tail.length - 1; i >= 0; i--) {
    const match = /engineconn: failed to start: (.*) \[(EC_[A-Z_]+)\]\s*$/.exec(tail[i] as string);
    if (match) return { message: match[1] as string, code: match[2] as string };
  }
  return null;
}
