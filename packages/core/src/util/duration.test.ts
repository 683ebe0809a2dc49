import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/protocol/constants';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';

function failsWith(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof EngineConnError && err.code === code && pattern.test(err.message));
}

describe('parseDuration', () => {
  test('reads units and bare milliseconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('30d'), 30 * 86_400_000);
    assert.equal(parseDuration(250), 250);
  });

  test('refuses more than the documented maximum instead of a silent 1 ms timer', () => {
    assert.equal(parseDuration('365d'), MAX_DURATION_MS);
    failsWith(() => parseDuration('366d', "Option 'ec.taskRetention'"), 'EC_CONFIG_INVALID', /at most 365d/);
    failsWith(
      () => parseDuration('400d', 'properties.timeout', { request: true }),
      'EC_BAD_REQUEST',
      /properties\.timeout must be at most 365d/,
    );
    failsWith(
      () => parseDuration('2h', 'timeoutMs', { max: 3_600_000, maxName: 'ec.lockMaxTimeout', request: true }),
      'EC_BAD_REQUEST',
      /at most ec\.lockMaxTimeout \(1h\)/,
    );
  });

  test('refuses what is not a duration', () => {
    failsWith(
      () => parseDuration('soon', '--max-free-time'),
      'EC_CONFIG_INVALID',
      /--max-free-time must be a duration/,
    );
    failsWith(() => parseDuration(-1), 'EC_CONFIG_INVALID', /must be a duration/);
    failsWith(() => parseDuration(Number.POSITIVE_INFINITY), 'EC_CONFIG_INVALID', /must be a duration/);
  });

  test('formats the way a user writes it', () => {
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(1500), '1500ms');
  });
});
