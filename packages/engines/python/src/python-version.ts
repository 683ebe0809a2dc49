import { existsSync, realpathSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { probeVersion } from '@engineconn/core';

/** `/usr/bin/python3` when present (a stable system interpreter), else `python3` from PATH. */
export function defaultPythonCommand(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** An interpreter's file named for its version, as distributions install it: `python3.11`. */
const VERSIONED_NAME = /^python(\d+\.\d+)$/;

/**
 * The major.minor in the name of the file an absolute `command` resolves to (`/usr/bin/python3` is a
 * link to `python3.11`), or null when the name carries none. One system call, where asking the
 * interpreter is a process start that the EngineConn's start-up waits for.
 */
export function versionFromFileName(command: string): string | null {
  if (!isAbsolute(command)) return null;
  try {
    return VERSIONED_NAME.exec(basename(realpathSync(command)))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * The default interpreter's major.minor, from its file's name or else asked of it, once. A session
 * replaces it with the version its own interpreter reports.
 */
export function probePythonVersion(): string {
  const command = defaultPythonCommand();
  return versionFromFileName(command) ?? probeVersion(command, /Python (\d+\.\d+)/);
}
