import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryAfterMs } from './trino-http.js';

describe('Retry-After', () => {
  test('seconds and HTTP dates are read, bounded to 10 s; anything else is ignored', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    assert.equal(retryAfterMs('2', now), 2000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('3600', now), 10_000);
    assert.equal(retryAfterMs('Tue, 01 Dec 2026 12:00:03 GMT', now), 3000);
    assert.equal(retryAfterMs('Tue, 01 Dec 2026 11:59:00 GMT', now), 0);
    assert.equal(retryAfterMs(null, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs('-5', now), undefined);
  });
});
