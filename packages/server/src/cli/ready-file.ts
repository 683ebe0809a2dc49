import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
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

/** Where an EngineConn announces itself: written once serving, removed at exit. */
export interface ReadyFileHandle {
  write(info: ReadyInfo): Promise<void>;
  remove(): Promise<void>;
}

/** The usual ready file: written atomically when ready, removed at exit. */
export function readyFileAt(path: string): ReadyFileHandle {
  return { write: (info) => writeReadyFile(path, info), remove: () => removeReadyFile(path) };
}

/**
 * A ready file opened (empty, mode 0600, root's) before the process gives up root for its user,
 * who may not be able to create files where the operator asked for it. The content is written in
 * one write once serving, so a reader sees either nothing (not ready yet) or the whole document; at
 * exit it is emptied, and removed where the user may.
 */
export async function openReadyFile(path: string): Promise<ReadyFileHandle> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'w', 0o600);
  let closed = false;
  return {
    async write(info) {
      await handle.write(`${JSON.stringify(info)}\n`, 0);
    },
    async remove() {
      if (closed) return;
      closed = true;
      await handle.truncate(0).catch(() => {});
      await handle.close().catch(() => {});
      await rm(path, { force: true }).catch(() => {});
    },
  };
}
