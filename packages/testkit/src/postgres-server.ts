import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

export interface StartPostgresOptions {
  /** Directory holding initdb/pg_ctl; default: the newest /usr/lib/postgresql/<version>/bin, then PATH. */
  binDir?: string;
  /** Replaces pg_hba.conf before the server starts (e.g. to require passwords for some roles). */
  hbaLines?: string[];
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** How long initdb plus start-up may take. */
  timeoutMs?: number;
}

export interface PostgresServer {
  /** `postgresql://postgres@127.0.0.1:PORT/postgres` (trust auth for the postgres superuser). */
  readonly url: string;
  readonly port: number;
  /** The data directory (also the socket directory); removed by stop(). */
  readonly dir: string;
  /** Stops the server at once (`-m immediate`) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT = 'Install it with `apt-get install -y postgresql` (Debian/Ubuntu) or pass binDir.';

function findBinDir(explicit?: string): string {
  if (explicit) {
    if (!existsSync(join(explicit, 'initdb'))) throw new Error(`No initdb in ${explicit}. ${INSTALL_HINT}`);
    return explicit;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) were not found. ${INSTALL_HINT}`);
}

interface RunAs {
  /** Prefix that runs a PostgreSQL binary as a non-root user (PostgreSQL refuses to run as root). */
  prefix: string[];
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) {
    throw new Error(`Running as root needs the 'postgres' system user to run the server. ${INSTALL_HINT}`);
  }
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(id.stdout), gid: Number(gid.stdout) };
}

function run(as: RunAs, binary: string, args: string[], timeoutMs: number): Promise<string> {
  const [file, ...rest] = [...as.prefix, binary, ...args];
  return new Promise((resolve, reject) => {
    execFile(file!, rest, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${binary} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster for tests: initdb into a fresh temp dir, listen on a free
 * loopback port, trust auth. Real server, no fakes; stop() removes everything.
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = findBinDir(opts.binDir);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const as = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'ec-pg-'));
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
  const pgCtl = join(binDir, 'pg_ctl');
  const logFile = join(dir, 'server.log');

  // A crashed test run must not leave a postmaster behind.
  const onExit = () => {
    const [file, ...rest] = [...as.prefix, pgCtl, '-D', dir, '-m', 'immediate', 'stop'];
    spawnSync(file!, rest, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  // 'exit' does not run when a signal ends the process (e.g. a test-runner timeout): clean up, then
  // let the signal do what it would have done.
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    removeHandlers();
    process.kill(process.pid, signal);
  };
  const removeHandlers = () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      removeHandlers();
      try {
        await run(as, pgCtl, ['-D', dir, '-m', 'immediate', '-w', 'stop'], timeoutMs);
      } catch {
        // Not running (start failed, or already stopped): removing the directory is all that is left.
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await run(as, join(binDir, 'initdb'), ['-D', dir, '-U', 'postgres', '-A', 'trust', '--no-sync'], timeoutMs);
    if (opts.hbaLines) {
      writeFileSync(join(dir, 'pg_hba.conf'), `${opts.hbaLines.join('\n')}\n`);
      if (as.uid !== undefined && as.gid !== undefined) chownSync(join(dir, 'pg_hba.conf'), as.uid, as.gid);
    }
    const extra = Object.entries(opts.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`);
    let lastError: unknown;
    // The free port can be taken between probing and binding; a couple of retries covers that race.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const serverOpts = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', ...extra];
      try {
        await run(
          as,
          pgCtl,
          ['-D', dir, '-l', logFile, '-w', '-t', '60', '-o', serverOpts.join(' '), 'start'],
          timeoutMs,
        );
        return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, port, dir, stop };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  } catch (err) {
    await stop();
    throw err;
  }
}
