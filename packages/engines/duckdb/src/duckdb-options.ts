import { resolve } from 'node:path';
import { ConfigInvalidError, type EngineCreationContext } from '@engineconn/core';
import { ThreadpoolGate } from './threadpool-gate.js';

export const IN_MEMORY = ':memory:';
/** Idle connections kept at most; an async EngineConn may allow thousands of tasks at once. */
const MAX_IDLE_CONNECTIONS = 64;
export const DEFAULT_PROGRESS_INTERVAL_MS = 200;

/** The `--conf` defaults the plugin declares; `duckdb.threads` and the others are unset unless given. */
export const DUCKDB_DEFAULT_OPTIONS = Object.freeze({
  'duckdb.path': IN_MEMORY,
  'duckdb.progressIntervalMs': String(DEFAULT_PROGRESS_INTERVAL_MS),
  'duckdb.readOnly': 'false',
});

export interface DuckDBOptions {
  /** An absolute file path, or `:memory:`. */
  path: string;
  readOnly: boolean;
  /** DuckDB worker threads; undefined = DuckDB's default (one per core). */
  threads?: number;
  /** DuckDB's `memory_limit`, e.g. `4GB`; undefined = DuckDB's default (80% of RAM). */
  memoryLimit?: string;
  progressIntervalMs: number;
  /** Statements that may wait for their first row on a libuv thread at once (see ThreadpoolGate). */
  threadpoolSlots: number;
  /** Idle connections kept for reuse. */
  maxIdleConnections: number;
  /** DuckDB's `enable_external_access`: may SQL read and write files, attach databases, load extensions? */
  externalAccess: boolean;
}

/**
 * `duckdb.externalAccess` when not given (docs/security.md): DuckDB runs in the EngineConn's own process,
 * so a task's `COPY … TO`, `read_text()` or `ATTACH` touch files with the process's rights. That is
 * right for one user's EngineConn running as that user (their files are theirs to read); it is
 * wrong as root, or under share level `server`, where one user's SQL would act with rights that are
 * not theirs. The share level reaches engines as the `ec.shareLevel` option.
 */
export function defaultExternalAccess(ctx: EngineCreationContext, uid = process.getuid?.()): boolean {
  if (uid === 0) return false;
  return ctx.optionalString('ec.shareLevel') !== 'server';
}

/** Reads the `duckdb.*` options; a bad value fails the start with EC_CONFIG_INVALID naming the key. */
export function readDuckDBOptions(ctx: EngineCreationContext, concurrency: number): DuckDBOptions {
  const rawPath = ctx.string('duckdb.path', IN_MEMORY).trim();
  if (rawPath === '') throw new ConfigInvalidError(`Option 'duckdb.path' must be a file path or ${IN_MEMORY}.`);
  const memoryLimit = ctx.optionalString('duckdb.memoryLimit')?.trim();
  const options: DuckDBOptions = {
    path: rawPath === IN_MEMORY ? IN_MEMORY : resolve(rawPath),
    readOnly: ctx.boolean('duckdb.readOnly', false),
    progressIntervalMs: ctx.integer('duckdb.progressIntervalMs', DEFAULT_PROGRESS_INTERVAL_MS, 10),
    threadpoolSlots: ctx.integer('duckdb.threadpoolSlots', ThreadpoolGate.defaultSlots(), 0),
    maxIdleConnections: Math.min(MAX_IDLE_CONNECTIONS, Math.max(1, concurrency)),
    externalAccess: ctx.has('duckdb.externalAccess')
      ? ctx.boolean('duckdb.externalAccess', false)
      : defaultExternalAccess(ctx),
  };
  if (ctx.has('duckdb.threads')) options.threads = ctx.integer('duckdb.threads', 0, 1);
  if (memoryLimit) options.memoryLimit = memoryLimit;
  if (options.readOnly && options.path === IN_MEMORY) {
    throw new ConfigInvalidError("Option 'duckdb.readOnly' needs a database file in 'duckdb.path'.");
  }
  return options;
}

/** DuckDB's instance configuration for these options. */
export function instanceConfig(options: DuckDBOptions): Record<string, string> {
  // With no external thread, DuckDB's own workers use every core even while no caller thread helps,
  // which is the case for statements waited on by polling (see awaitPendingResult).
  const config: Record<string, string> = { external_threads: '0' };
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  config.enable_external_access = String(options.externalAccess);
  return config;
}
