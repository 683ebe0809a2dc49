import { randomBytes } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ConfigInvalidError,
  EngineCreationContext,
  type EnginePlugin,
  EXECUTOR_KINDS,
  type ExecutorKind,
} from '@engineconn/core';
import { parseIntegerFlag, parseKeyValues, readConfigFile } from './options.js';

/** The flags shared by `start` and `once` that shape the EngineCreationContext. */
export interface EngineContextFlags {
  executor?: string;
  concurrency?: string;
  user?: string;
  label?: string[];
  conf?: string[];
  config?: string;
  dataDir?: string;
  maxFreeTime?: string;
  manager?: string;
}

export interface ResolvedEngineContext {
  context: EngineCreationContext;
  /** True when the data directory was chosen by default (a temp dir the EC may remove on a clean exit). */
  dataDirDefaulted: boolean;
}

export function newEngineConnId(): string {
  return `ec-${randomBytes(5).toString('hex')}`;
}

export function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (e.g. an arbitrary container uid).
    return process.env.USER ?? process.env.LOGNAME ?? 'engineconn';
  }
}

function resolveExecutor(flag: string | undefined, plugin: EnginePlugin<unknown>, allowOnce: boolean): ExecutorKind {
  const kind = flag ?? plugin.defaultExecutor;
  if (!(EXECUTOR_KINDS as readonly string[]).includes(kind) || (kind === 'once' && !allowOnce)) {
    const allowed = EXECUTOR_KINDS.filter((k) => allowOnce || k !== 'once');
    throw new ConfigInvalidError(`--executor must be one of ${allowed.join(', ')}; got '${kind}'.`);
  }
  return kind as ExecutorKind;
}

/**
 * Builds the EngineCreationContext from the CLI flags. Options merge as engine defaults < config
 * file < `--conf` < dedicated flags (`--concurrency`, `--max-free-time`, `--manager`). Labels are the
 * engine's defaults and the Linkis labels a manager routes on (userCreator, codeType), then
 * `--label`, which overrides both (docs/configuration.md). engineType and executor describe this process and
 * are not the caller's to set: a `--label` naming them fails the start.
 */
export async function resolveEngineContext(
  plugin: EnginePlugin<unknown>,
  flags: EngineContextFlags,
  opts: { allowOnce?: boolean; id?: string } = {},
): Promise<ResolvedEngineContext> {
  const id = opts.id ?? newEngineConnId();
  const executor = resolveExecutor(flags.executor, plugin, opts.allowOnce ?? false);
  const user = flags.user ?? defaultUser();
  if (user.trim() === '') throw new ConfigInvalidError('--user must not be empty.');

  const dedicated: Record<string, string> = {};
  if (flags.concurrency !== undefined) {
    dedicated['ec.concurrency'] = String(parseIntegerFlag(flags.concurrency, '--concurrency', 1));
  }
  if (flags.maxFreeTime !== undefined) dedicated['ec.maxFreeTime'] = flags.maxFreeTime;
  if (flags.manager !== undefined) dedicated['ec.manager.url'] = flags.manager;
  const options = {
    ...plugin.defaultOptions,
    ...(flags.config ? await readConfigFile(flags.config) : {}),
    ...parseKeyValues(flags.conf ?? [], '--conf'),
    ...dedicated,
  };

  const userLabels = parseKeyValues(flags.label ?? [], '--label');
  const facts = { engineType: `${plugin.name}-${plugin.version}`, executor };
  for (const [key, value] of Object.entries(facts)) {
    if (userLabels[key] !== undefined && userLabels[key] !== value) {
      throw new ConfigInvalidError(
        `--label ${key} is set by the EngineConn itself (${value}); use --engine or --executor, or another label name.`,
      );
    }
  }
  const creator = userLabels.creator ?? 'engineconn';
  const labels = {
    ...plugin.defaultLabels,
    userCreator: `${user}-${creator}`,
    codeType: plugin.runTypes[0],
    ...userLabels,
    ...facts,
  };

  const dataDirDefaulted = flags.dataDir === undefined;
  const dataDir = flags.dataDir === undefined ? join(tmpdir(), 'engineconn', id) : resolve(flags.dataDir);

  const context = new EngineCreationContext({
    id,
    user,
    engineType: plugin.name,
    executor,
    labels,
    options,
    dataDir,
  });
  // Reads the duration now, so a typo fails at start with a message naming the option.
  context.duration('ec.maxFreeTime', 0);
  return { context, dataDirDefaulted };
}
