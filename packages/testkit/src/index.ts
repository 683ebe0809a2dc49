export { type CapturedResultSet, createHarnessTask, type HarnessOptions, type HarnessTask } from './task-harness.js';
