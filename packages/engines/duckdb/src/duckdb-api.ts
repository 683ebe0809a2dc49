import { createRequire } from 'node:module';

/**
 * `@duckdb/node-api`, loaded with require() rather than imported. It is CommonJS whose index
 * re-exports about 120 files, and an ESM import makes Node run its CommonJS export lexer over every
 * one of them before loading them: 100-200 ms of an EngineConn's start-up, for the same exports.
 * Modules here take types from the package with `import type` and values from this object.
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
