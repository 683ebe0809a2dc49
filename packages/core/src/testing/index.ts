// `@engineconn/core/testing`: the helpers every package's tests share, kept in core (which every
// package depends on) so that core's own tests use them too without a package cycle;
// `@engineconn/testkit` re-exports them.

export { silentLogger, type TestContextInit, testCreationContext, testSessionEnv } from './creation-context.js';
export { openDescriptors } from './open-descriptors.js';
export { readText } from './read-text.js';
export {
  DEFAULT_WAIT_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type WaitForOptions,
  WaitTimeoutError,
  waitFor,
} from './wait-for.js';
