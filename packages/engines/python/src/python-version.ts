import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `/usr/bin/python3` when present (a stable system interpreter), else `python3` from PATH. */
export function defaultPythonCommand(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

let probed: string | undefined;

/**
 * The default interpreter's major.minor, probed once and synchronously because the plugin's
 * `version` is a plain property that `defineEngine` reads at registration. A session replaces it
 * with the version its own interpreter reports.
 */
export function probePythonVersion(): string {
  if (probed === undefined) {
    try {
      const banner = execFileSync(defaultPythonCommand(), ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 5000,
      });
      probed = /Python (\d+\.\d+)/.exec(banner)?.[1] ?? 'unknown';
    } catch {
      probed = 'unknown';
    }
  }
  return probed;
}
