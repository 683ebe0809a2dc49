import { readdirSync, readlinkSync } from 'node:fs';

/** Descriptors this process holds open on `file` (Linux /proc): how a test sees a handle left open. */
export function openDescriptors(file: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) count++;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return count;
}
