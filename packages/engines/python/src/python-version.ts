import { existsSync } from 'node:fs';
import { probeVersion } from '@engineconn/core';

/** `/usr/bin/python3` when present (a stable system interpreter), else `python3` from PATH. */
export function defaultPythonCommand(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * The default interpreter's major.minor, probed once. A session replaces it with the version its own
 * interpreter reports.
 */
export const probePythonVersion = (): string => probeVersion(defaultPythonCommand(), /Python (\d+\.\d+)/);
