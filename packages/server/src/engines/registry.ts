import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineEngine, EngineConnError, type EnginePlugin } from '@engineconn/core';

type EngineModule = { default?: unknown };

/** The engines shipped with EngineConn, each a package whose default export is its plugin. */
const BUILT_IN: Record<string, () => Promise<EngineModule>> = {
  duckdb: () => import('@engineconn/engine-duckdb'),
  shell: () => import('@engineconn/engine-shell'),
  python: () => import('@engineconn/engine-python'),
  postgres: () => import('@engineconn/engine-postgres'),
  sqlite: () => import('@engineconn/engine-sqlite'),
  trino: () => import('@engineconn/engine-trino'),
};

export const ENGINE_NAMES: readonly string[] = Object.keys(BUILT_IN);

/** A name with a path separator or a leading dot is a module of the caller's own (a third-party engine). */
function isModulePath(name: string): boolean {
  return name.startsWith('.') || name.includes('/') || name.includes('\\') || name.startsWith('file:');
}

/**
 * Loads the plugin for `--engine NAME`: a built-in engine by name, or any module path whose default
 * export is an EnginePlugin (resolved against the working directory).
 */
export async function loadEngine(name: string): Promise<EnginePlugin<unknown>> {
  let load: (() => Promise<EngineModule>) | undefined;
  let source: string;
  if (isModulePath(name)) {
    const url = name.startsWith('file:') ? name : pathToFileURL(isAbsolute(name) ? name : resolve(name)).href;
    load = () => import(url);
    source = `module '${name}'`;
  } else {
    load = Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name] : undefined;
    source = `package @engineconn/engine-${name}`;
  }
  if (!load) {
    throw new EngineConnError(
      'EC_UNKNOWN_ENGINE',
      `Unknown engine '${name}'. Known engines: ${ENGINE_NAMES.join(', ')} (or a path to a module whose default export is an engine plugin).`,
    );
  }
  let mod: EngineModule;
  try {
    mod = await load();
  } catch (err) {
    throw new EngineConnError(
      'EC_ENGINE_START_FAILED',
      `Cannot load the ${name} engine from ${source}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const plugin = mod.default;
  if (typeof plugin !== 'object' || plugin === null) {
    throw new EngineConnError(
      'EC_UNKNOWN_ENGINE',
      `The ${source} does not export an engine plugin as its default export (is the ${name} engine built?).`,
    );
  }
  // Re-checks the plugin's shape, so a broken third-party engine fails here with a message naming the field.
  return defineEngine(plugin as EnginePlugin<unknown>);
}
