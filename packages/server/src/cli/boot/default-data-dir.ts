import { readdir, rm } from 'node:fs/promises';
import type { TeardownCause, TeardownStack } from './teardown-stack.js';

/** True when `dir` (or a directory under it) holds a file; false for a tree of empty directories. */
async function holdsAFile(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.some((entry) => !entry.isDirectory());
}

/**
 * A default (temp) data directory goes at the end of the run: after a success, and after a failure
 * when it holds no file (a start that failed before anything was written, a port in use); a failure
 * keeps what it wrote for a look. Deferred as soon as the directory exists, so every later failure
 * of the boot unwinds through it.
 */
export function deferDataDirRemoval(
  teardown: TeardownStack,
  dir: string,
  succeeded: (cause: TeardownCause) => boolean,
): void {
  teardown.defer('the data directory', async (cause) => {
    if (succeeded(cause) || !(await holdsAFile(dir))) await rm(dir, { recursive: true, force: true });
  });
}
