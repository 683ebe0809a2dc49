import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ReadyInfo {
  url: string;
  /** The EngineConn's id; a manager has none. */
  id?: string;
  pid: number;
  /** The generated owner token, when there is no auth file. */
  token?: string;
}

/**
 * Writes the ready file atomically (temp file + rename): a reader never sees half a JSON document.
 * Mode 0600: it may hold a token.
 */
export async function writeReadyFile(path: string, info: ReadyInfo): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** Removes the ready file at exit, so it never points at an EngineConn that is gone. */
export async function removeReadyFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
