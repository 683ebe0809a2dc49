import { execFileSync } from 'node:child_process';

let detected: string | undefined;

/**
 * bash's major.minor, asked of bash itself once per process. It is synchronous because the plugin's
 * `version` is a plain property that `defineEngine` reads at registration.
 */
export function bashVersion(): string {
  if (detected === undefined) {
    try {
      const banner = execFileSync('bash', ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5000,
      });
      detected = /version (\d+\.\d+)/.exec(banner)?.[1] ?? 'unknown';
    } catch {
      detected = 'unknown';
    }
  }
  return detected;
}
