import assert from 'node:assert/strict';
import { EngineConnError } from '@engineconn/core';

/**
 * For `assert.rejects`: the task ended as cancelled (EC_TASK_CANCELLED), and its message matches
 * `pattern` when given (an engine's own cancel reason, such as PostgreSQL's 57014).
 */
export function isCancelled(pattern?: RegExp): (err: unknown) => true {
  return (err) => {
    assert.ok(err instanceof EngineConnError, `expected an EngineConnError, got ${String(err)}`);
    assert.equal(err.code, 'EC_TASK_CANCELLED');
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}
