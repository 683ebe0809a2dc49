import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prettyLine } from './logger.js';

test('a log line for a terminal: time, level, message and the fields that matter', () => {
  const line = prettyLine(
    JSON.stringify({
      level: 30,
      time: '2026-12-01T09:00:01.234Z',
      pid: 7,
      ec: 'ec-1',
      from: 'Starting',
      to: 'Unlock',
      msg: 'EngineConn status changed',
    }),
  );
  assert.equal(line, '09:00:01.234 INFO  EngineConn status changed from=Starting to=Unlock\n');
  const failed = prettyLine(
    JSON.stringify({
      level: 50,
      time: '2026-12-01T09:00:02.000Z',
      msg: 'boom',
      err: { message: 'x', stack: 'Error: x\n    at y' },
    }),
  );
  assert.match(failed, /^09:00:02\.000 ERROR boom\n {2}Error: x\n {4}at y\n$/);
  assert.equal(prettyLine('not json'), 'not json');
});
