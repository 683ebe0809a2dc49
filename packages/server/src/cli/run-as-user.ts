import { accessSync, constants } from 'node:fs';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigInvalidError } from '@engineconn/core';
import type { Logger } from 'pino';
import { lookupOsUser, type OsUser, runningAsRoot } from '../manager/launcher/os-users.js';

/**
 * Whom the EngineConn's engine and tasks run as (docs/security.md). Started as root with `--user U`, U's
 * OS account: the whole process drops to it (see dropPrivileges) once it has read what only root
 * may read and bound its port. Not as root, `--user` only names the owner, and nothing changes.
 * Returns null when there is nothing to drop (not root, `--user root`, or root without `--user`,
 * which is warned about once).
 */
export function resolveRunAs(user: string | undefined, logger: Logger): OsUser | null {
  if (!runningAsRoot()) return null;
  if (user === undefined) {
    logger.warn(
      'running as root without --user: every task runs as root; start with --user <OS user> to run them as that user',
    );
    return null;
  }
  const account = lookupOsUser(user);
  if (!account) {
    throw new ConfigInvalidError(
      `--user '${user}' is not an OS user on this machine. Started as root, an EngineConn runs its tasks as --user's OS account: create it (useradd ${user}) or name an existing one.`,
    );
  }
  return account.uid === 0 ? null : account;
}

/**
 * Creates the data directory as root and gives it to the user (mode 0700: no other user may read
 * its logs and results). A missing `<tmp>/engineconn` parent is made sticky and world-writable,
 * like /tmp, so every user's EngineConns can keep their directories there.
 */
export async function prepareDataDir(dataDir: string, owner: OsUser | null, defaulted: boolean): Promise<void> {
  if (defaulted) {
    const parent = dirname(dataDir);
    const existed = await stat(parent).then(
      () => true,
      () => false,
    );
    await mkdir(parent, { recursive: true });
    if (!existed) await chmod(parent, 0o1777);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (owner) await chown(dataDir, owner.uid, owner.gid);
}

/** Files the user must never read (the auth file, the TLS key), checked once they are the user. */
export function assertUnreadable(files: readonly { path: string; what: string }[], user: string): void {
  for (const { path, what } of files) {
    let readable = true;
    try {
      accessSync(path, constants.R_OK);
    } catch {
      readable = false;
    }
    if (readable) {
      throw new ConfigInvalidError(
        `${what} '${path}' is readable by the user '${user}', whose tasks could then read it: make it root's alone (chown root: ${path}; chmod 600 ${path}).`,
      );
    }
  }
}

/**
 * Turns the whole process into `user` for good: supplementary groups, group, then user (real,
 * effective and saved, so root cannot be regained), and the environment of that user (HOME, USER,
 * LOGNAME; root's runtime directories dropped, so the owner token goes to the user's own). From here
 * on DuckDB (in process), the interpreters, shells and database processes the engine starts, and
 * every file the EngineConn writes, are the user's.
 */
export function dropPrivileges(user: OsUser, env: NodeJS.ProcessEnv = process.env): void {
  // POSIX-only, so @types/node leaves initgroups out.
  const posix = process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void };
  if (!posix.initgroups || !posix.setgid || !posix.setuid) {
    throw new ConfigInvalidError(`This platform cannot switch the EngineConn to the user '${user.name}'.`);
  }
  posix.initgroups(user.name, user.gid);
  posix.setgid(user.gid);
  posix.setuid(user.uid);
  Object.assign(env, { HOME: user.home, USER: user.name, LOGNAME: user.name });
  delete env.XDG_RUNTIME_DIR;
  delete env.ENGINECONN_RUNTIME_DIR;
}
