import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runEngineConn } from '../../e2e/spawn-engineconn.js';

/** `engineconn manager start` with one bad flag: it must refuse before it binds or makes a directory. */
async function refused(flag: string, value: string): Promise<string> {
  const run = await runEngineConn(['manager', 'start', '--port', '0', flag, value]);
  assert.equal(run.code, 1, `${flag} ${value}: ${run.stderr}`);
  assert.equal(run.stdout, '', 'nothing was served');
  return run.stderr;
}

describe('engineconn manager start: enumerated and numeric flags', () => {
  test('a number that is not one, or out of range, names the flag and the range', async () => {
    assert.match(
      await refused('--max-engines', 'lots'),
      /^engineconn: the manager failed to start: option '--max-engines <n>' argument 'lots' is invalid\. It must be a whole number from 0 to \d+\. \[EC_CONFIG_INVALID\]\n/,
    );
    assert.match(
      await refused('--max-engines-per-user', '-1'),
      /option '--max-engines-per-user <n>' argument '-1' is invalid\. It must be a whole number from 0/,
    );
    assert.match(
      await refused('--port', '70000'),
      /argument '70000' is invalid\. It must be a whole number from 0 to 65535\./,
    );
  });

  test('a duration that is not one, zero where it must not be, or too long for a timer', async () => {
    assert.match(
      await refused('--engine-start-timeout', 'soon'),
      /option '--engine-start-timeout <duration>' argument 'soon' is invalid\. It must be a duration like/,
    );
    assert.match(
      await refused('--heartbeat-interval', '0s'),
      /option '--heartbeat-interval <duration>' argument '0s' is invalid\. It must be above 0 and at most 24 days\./,
    );
    assert.match(
      await refused('--orphan-timeout', '30d'),
      /argument '30d' is invalid\. It must be above 0 and at most 24 days\./,
    );
    assert.match(
      await refused('--engine-idle-time', 'never'),
      /option '--engine-idle-time <duration>' argument 'never'/,
    );
  });

  test('a value outside the choices lists them', async () => {
    assert.match(
      await refused('--log-level', 'loud'),
      /option '--log-level <level>' argument 'loud' is invalid\. Allowed choices are trace, debug, info, warn, error, fatal, silent\. \[EC_CONFIG_INVALID\]/,
    );
  });
});
