import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isAlive } from '../conformance/proc.js';
import { TRINO_VERSION, type TrinoToolchain } from './trino-toolchain.js';

/** Plugins the tests use; the other ~60 (about 700 MB) are left in the tarball. */
export const TRINO_PLUGINS = ['tpch', 'memory', 'blackhole'] as const;

const COMPLETE_MARK = '.engineconn-complete';

/** `$ENGINECONN_CACHE_DIR`, else `$XDG_CACHE_HOME/engineconn`, else `~/.cache/engineconn`. */
export function trinoCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.ENGINECONN_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'engineconn');
  return join(root, `trino-${TRINO_VERSION}`);
}

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...opts, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${(stderr || stdout).trim() || err.message}`));
      else resolve();
    });
  });
}

/**
 * A directory lock that survives a crashed holder: the holder's pid is in it, and a lock whose
 * holder is gone is taken over. Several test processes may want the same install at once.
 */
async function withLock<T>(path: string, deadlineMs: number, work: () => Promise<T>): Promise<T> {
  const owner = join(path, 'pid');
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(existsSync(owner) ? readFileSync(owner, 'utf8') : Number.NaN);
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      // Bounded by the deadline, and the only thing a waiting process does: not unref()ed.
      if (Date.now() > deadlineMs) throw new Error(`Timed out waiting for the lock ${path} (held by pid ${holder}).`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The unpacked server (bin, lib, the plugins in TRINO_PLUGINS), downloaded once through Maven
 * (so the tarball is cached in the local Maven repository) and unpacked once into the cache dir.
 * Returns the install directory; it is only ever read afterwards, so any number of servers share it.
 */
export async function ensureTrinoInstall(
  toolchain: TrinoToolchain,
  opts: { cacheDir?: string; timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<string> {
  const dir = opts.cacheDir ?? trinoCacheDir();
  if (existsSync(join(dir, COMPLETE_MARK))) return dir;
  const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
  mkdirSync(dirname(dir), { recursive: true });
  return withLock(`${dir}.lock`, deadline, async () => {
    if (existsSync(join(dir, COMPLETE_MARK))) return dir;
    const staging = `${dir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      const artifact = `io.trino:trino-server:${TRINO_VERSION}:tar.gz`;
      opts.log?.(`Fetching ${artifact} with Maven (about 820 MB the first time; cached in the local repository)`);
      await run(
        toolchain.mvn,
        ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${staging}`],
        {
          env: { ...process.env, JAVA_HOME: toolchain.javaHome },
        },
      );
      const tarball = join(staging, `trino-server-${TRINO_VERSION}.tar.gz`);
      const top = `trino-server-${TRINO_VERSION}`;
      opts.log?.(`Unpacking ${top} with the plugins ${TRINO_PLUGINS.join(', ')}`);
      // Two passes: everything but the plugins, then only the plugins we keep.
      await run('tar', ['-xzf', tarball, '-C', staging, `--exclude=${top}/plugin/*`], {});
      await run('tar', ['-xzf', tarball, '-C', staging, ...TRINO_PLUGINS.map((p) => `${top}/plugin/${p}`)], {});
      rmSync(tarball);
      writeFileSync(join(staging, top, COMPLETE_MARK), `${new Date().toISOString()}\n`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(staging, top), dir);
      return dir;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}
