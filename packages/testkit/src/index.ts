export { type PostgresServer, type StartPostgresOptions, startPostgres } from './postgres-server.js';
export { type CapturedResultSet, createHarnessTask, type HarnessOptions, type HarnessTask } from './task-harness.js';
export { createTestEngine, TEST_PNG, type TestEngineOptions, testEngine } from './test-engine.js';
