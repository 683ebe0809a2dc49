export {
  DEFAULT_WAIT_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  openDescriptors,
  readText,
  silentLogger,
  type TestContextInit,
  testCreationContext,
  testSessionEnv,
  type WaitForOptions,
  WaitTimeoutError,
  waitFor,
} from '@engineconn/core/testing';
export { isCancelled } from './cancelled.js';
export type {
  ConformanceSpec,
  ExpectedResultSet,
  ProbeContext,
} from './conformance/conformance-spec.js';
export * as proc from './conformance/proc.js';
export { runConformanceSuite } from './conformance/run-conformance-suite.js';
export {
  SQL_SAMPLE_ROWS,
  type SqlSample,
  type SqlSampleStep,
  sqlResultsSample,
  sqlSampleStatements,
} from './conformance/sql-sample.js';
export { type EngineFixture, type EngineFixtureInit, openEngineFixture } from './engine-fixture.js';
export { TcpProxy } from './net/tcp-proxy.js';
export { type PostgresServer, type StartPostgresOptions, startPostgres } from './postgres-server.js';
export { startTestRuntime, type TestRuntime, type TestRuntimeOptions } from './runtime/test-runtime.js';
export { type CapturedResultSet, createHarnessTask, type HarnessOptions, type HarnessTask } from './task-harness.js';
export {
  createFileGate,
  createTestEngine,
  type FileGate,
  openGate,
  TEST_PNG,
  type TestEngineOptions,
  testEngine,
} from './test-engine.js';
export { acquireTestTrino, type TestTrino } from './trino/shared-trino.js';
export { ensureTrinoInstall, TRINO_PLUGINS, trinoCacheDir } from './trino/trino-install.js';
export {
  DEFAULT_TRINO_START_TIMEOUT_MS,
  type StartTrinoOptions,
  startTrino,
  stopTrino,
  type TrinoServer,
} from './trino/trino-server.js';
export {
  findJava,
  TRINO_MIN_JAVA,
  TRINO_VERSION,
  type TrinoToolchain,
  trinoToolchain,
} from './trino/trino-toolchain.js';
export { runValueFidelitySuite, type ValueFidelitySpec } from './values/run-value-fidelity.js';
export { csvOfJson } from './values/type-table.js';
export { caseQuery, type NativeValue, VALUE_TAGS, type ValueCase, type ValueTag } from './values/value-case.js';
