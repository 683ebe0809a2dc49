import type { EngineCreationContext } from '../context/engine-creation-context.js';
import { ConfigInvalidError } from '../errors/errors.js';
import type { EnginePlugin } from '../plugin/engine-plugin.js';
import { RUNTIME_OPTION_KEYS } from './runtime-settings.js';

/** Edit distance between two keys, case-insensitive: how the closest known key is found. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[y.length] as number;
}

/** True when `key` is `known` or falls under a `prefix.*` entry. */
function matches(key: string, known: string): boolean {
  return known.endsWith('.*') ? key.startsWith(known.slice(0, -1)) && key.length > known.length - 1 : key === known;
}

/**
 * Refuses option keys nobody reads: `ec.*` keys the runtime does not know, and `<engine>.*` keys
 * the engine does not declare (its `optionKeys` and `defaultOptions`). A typo such as
 * `ec.queuelimit` fails the start with EC_CONFIG_INVALID naming the key and the closest known one,
 * instead of being silently ignored. Keys of other namespaces (another engine's, a manager's) pass.
 */
export function checkOptionKeys(ctx: EngineCreationContext, plugin: EnginePlugin<unknown>): void {
  const engineKeys = plugin.optionKeys ? [...plugin.optionKeys, ...Object.keys(plugin.defaultOptions ?? {})] : null;
  for (const key of Object.keys(ctx.options)) {
    let known: readonly string[];
    if (key.startsWith('ec.')) known = RUNTIME_OPTION_KEYS;
    else if (key.startsWith(`${plugin.name}.`) && engineKeys) known = engineKeys;
    else continue;
    if (known.some((k) => matches(key, k))) continue;
    const closest = [...known].sort((a, b) => distance(key, a) - distance(key, b))[0];
    throw new ConfigInvalidError(
      `Unknown option '${key}'${closest ? `; did you mean '${closest}'?` : '.'} See docs/configuration.md and the ${plugin.name} engine's README for the options.`,
    );
  }
}
