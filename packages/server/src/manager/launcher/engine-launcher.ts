import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANAGER_SECRET_ENV } from '../../cli/manager-secret.js';
import type { OsUser } from './os-users.js';

export interface LaunchSpec {
  user: string;
  engineType: string;
  executor?: string | undefined;
  labels: Record<string, string>;
  conf: Record<string, string>;
}

export interface LauncherSettings {
  /** How to run `engineconn`: the node binary and the CLI script. */
  command: readonly [string, ...string[]];
  /** Where the engines' directories go (`<manager data dir>/engines`). */
  enginesDir: string;
  heartbeatIntervalMs: number;
  /** The `--max-free-time` of every engine. */
  engineIdleTimeMs: number;
  orphanTimeoutMs: number;
  /** The manager's certificate when it serves HTTPS, for the engine to trust on its reports. */
  managerCa: Buffer | null;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchedEngine {
  /** Its report secret and owner token, new for every launch. */
  secret: string;
  token: string;
  dataDir: string;
  logFile: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<ProcessExit>;
}

const newSecret = (): string => randomBytes(32).toString('base64url');

/** The environment of an engine run as `osUser`: its own identity, none of the manager's secrets. */
function engineEnv(osUser: OsUser | null, secrets: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  if (osUser) {
    for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ']) if (process.env[key]) base[key] = process.env[key];
    Object.assign(base, { HOME: osUser.home, USER: osUser.name, LOGNAME: osUser.name });
  } else {
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith('ENGINECONN_') && key !== 'NODE_OPTIONS') base[key] = value;
    }
  }
  return { ...base, ...secrets };
}

/**
 * Launches `engineconn start` for one user (Linkis' ECM starting an EngineConn): a directory of
 * its own under the manager's, its owner token and its report secret in the environment (never on a
 * command line, which every local user can read; the EngineConn removes both from its environment), its output in a log
 * file (so it outlives the manager without a broken pipe), in a process group of its own (so the
 * manager's terminal signals do not reach it and a kill takes its children too), and, when the
 * manager runs as root, as the user's own OS account.
 */
export async function launchEngine(
  spec: LaunchSpec,
  settings: LauncherSettings,
  managerUrl: string,
  osUser: OsUser | null,
): Promise<LaunchedEngine> {
  const secret = newSecret();
  const token = newSecret();
  const dataDir = join(settings.enginesDir, randomBytes(8).toString('hex'));
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(dataDir, 'engine.log');
  const log = await open(logFile, 'a', 0o600);
  // Node adds NODE_EXTRA_CA_CERTS to its trusted roots at start, for fetch too: the engine's reports
  // to an HTTPS manager then verify its certificate, with no TLS option to thread through.
  const caFile = settings.managerCa ? join(dataDir, 'manager-ca.pem') : null;
  if (caFile && settings.managerCa) await writeFile(caFile, settings.managerCa, { mode: 0o644 });
  if (osUser) {
    for (const path of [dataDir, logFile, ...(caFile ? [caFile] : [])]) await chown(path, osUser.uid, osUser.gid);
  }

  const args = [
    'start',
    '--engine',
    spec.engineType,
    ...(spec.executor ? ['--executor', spec.executor] : []),
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--user',
    spec.user,
    '--data-dir',
    dataDir,
    ...Object.entries(spec.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...Object.entries(spec.conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
    // After the caller's conf, so these win.
    '--conf',
    `ec.manager.orphanTimeout=${settings.orphanTimeoutMs}ms`,
    '--manager',
    managerUrl,
    '--heartbeat-interval',
    `${settings.heartbeatIntervalMs}ms`,
    '--max-free-time',
    `${settings.engineIdleTimeMs}ms`,
  ];
  const [command, ...prefix] = settings.command;
  let child: ChildProcess;
  try {
    child = spawn(command, [...prefix, ...args], {
      cwd: dataDir,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: engineEnv(osUser, {
        [MANAGER_SECRET_ENV]: secret,
        ENGINECONN_TOKEN: token,
        ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
      }),
      ...(osUser ? { uid: osUser.uid, gid: osUser.gid } : {}),
    });
  } finally {
    await log.close();
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn that fails (EACCES, ENOENT) emits error and no exit.
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  child.unref();
  return { secret, token, dataDir, logFile, pid: child.pid ?? -1, child, exited };
}
