import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The per-OS-user runtime files through which an EngineConn started without an auth file hands its
 * owner token to the CLI and SDK of the same OS user (docs/api.md), one file per EngineConn URL, in a
 * directory only that user can enter:
 * `$ENGINECONN_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/engineconn`, else `~/.engineconn/run`.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ENGINECONN_RUNTIME_DIR) return env.ENGINECONN_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'engineconn');
  return join(env.HOME || homedir(), '.engineconn', 'run');
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * What a URL's runtime file is keyed by: scheme, host and port. The loopback names are one key, so
 * `http://localhost:7070` finds the token of the EngineConn serving `http://127.0.0.1:7070`.
 */
export function runtimeKey(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const host = LOOPBACK_NAMES.has(parsed.hostname) || /^127\./.test(parsed.hostname) ? 'loopback' : parsed.hostname;
  return `${parsed.protocol}//${host}:${port}`;
}

export function runtimeFile(url: string, dir = runtimeDir()): string {
  const digest = createHash('sha256').update(runtimeKey(url)).digest('hex').slice(0, 20);
  return join(dir, `ec-${digest}.json`);
}

export interface RuntimeTokenRecord {
  url: string;
  token: string;
  pid: number;
}

/**
 * Writes the token for `url` (file mode 0600, directory 0700, temp file + rename so a reader never
 * sees half of it) and returns the file's path.
 */
export function writeRuntimeToken(record: RuntimeTokenRecord, dir = runtimeDir()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone; the token must not be listable by others.
  chmodSync(dir, 0o700);
  const path = runtimeFile(record.url, dir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...record, key: runtimeKey(record.url) })}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

/**
 * The token an EngineConn of this OS user left for `url`, or undefined. A file another user could
 * have planted or read (not ours, or open to group/others) is ignored.
 */
export function readRuntimeToken(url: string, dir = runtimeDir()): string | undefined {
  let path: string;
  try {
    path = runtimeFile(url, dir);
  } catch {
    return undefined;
  }
  try {
    const stat = statSync(path);
    if ((process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o077) !== 0) return undefined;
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<RuntimeTokenRecord> & { key?: string };
    return record.key === runtimeKey(url) && typeof record.token === 'string' && record.token !== ''
      ? record.token
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the runtime file for `url` at exit, unless another EngineConn has since written its own
 * there; with `token` undefined (a new EngineConn there uses an auth file), whatever is there.
 */
export function removeRuntimeToken(url: string, token: string | undefined, dir = runtimeDir()): void {
  const path = runtimeFile(url, dir);
  if (token !== undefined && readRuntimeToken(url, dir) !== token) return;
  rmSync(path, { force: true });
}
