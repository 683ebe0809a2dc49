import { execFileSync } from 'node:child_process';

const probed = new Map<string, string>();

/**
 * The major.minor that `command --version` prints (the first match of `pattern`'s one group), asked
 * once per command and process; `unknown` when the command fails or says nothing that matches. It is
 * synchronous because an engine plugin's `version` is a plain property that `defineEngine` reads at
 * registration.
 */
export function probeVersion(command: string, pattern: RegExp): string {
  let version = probed.get(command);
  if (version === undefined) {
    try {
      const banner = execFileSync(command, ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 5000,
      });
      version = pattern.exec(banner)?.[1] ?? 'unknown';
    } catch {
      version = 'unknown';
    }
    probed.set(command, version);
  }
  return version;
}
