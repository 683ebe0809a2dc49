import { ConfigInvalidError } from '../errors/errors.js';
import { type EnginePlugin, EXECUTOR_KINDS } from './engine-plugin.js';

/**
 * Declares an engine plugin and checks it, so a malformed plugin fails when it is registered with a
 * message naming the field, not with a confusing error on the first task.
 */
export function defineEngine<S>(plugin: EnginePlugin<S>): EnginePlugin<S> {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]*$/.test(plugin.name ?? '')) problems.push('name must be lower-case letters, digits or -');
  if (typeof plugin.version !== 'string' || plugin.version === '') problems.push('version must be a non-empty string');
  if (!Array.isArray(plugin.executors) || plugin.executors.length === 0)
    problems.push('executors must list at least one executor');
  for (const kind of plugin.executors ?? []) {
    if (!EXECUTOR_KINDS.includes(kind)) problems.push(`executors lists unknown executor '${kind}'`);
  }
  if (!plugin.executors?.includes(plugin.defaultExecutor)) problems.push('defaultExecutor must be one of executors');
  if (!Array.isArray(plugin.runTypes) || plugin.runTypes.length === 0)
    problems.push('runTypes must list at least one code type');
  if (
    plugin.defaultConcurrency !== undefined &&
    !(Number.isInteger(plugin.defaultConcurrency) && plugin.defaultConcurrency > 0)
  ) {
    problems.push('defaultConcurrency must be a positive whole number');
  }
  if (plugin.example !== undefined && typeof plugin.example !== 'string') problems.push('example must be a string');
  for (const fn of ['createSession', 'createExecutor', 'closeSession'] as const) {
    if (typeof plugin[fn] !== 'function') problems.push(`${fn} must be a function`);
  }
  if (problems.length > 0) {
    throw new ConfigInvalidError(`Engine plugin '${String(plugin.name)}' is invalid: ${problems.join('; ')}.`);
  }
  return Object.freeze(plugin);
}
