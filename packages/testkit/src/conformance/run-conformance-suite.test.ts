import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { processEngineSpec } from './fixtures/process-engine.js';
import { runConformanceSuite } from './run-conformance-suite.js';

runConformanceSuite(processEngineSpec(false));

/** Runs a file of node:test tests in a child process, as a top-level run, and returns its TAP. */
function runTests(file: string): Promise<{ tap: string; exitCode: number }> {
  const env = { ...process.env };
  // Set for test files run by `node --test`; left in place, the child would report to us in binary.
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--test', '--test-reporter=tap', file], { env }, (err, stdout) => {
      resolve({ tap: stdout, exitCode: err ? Number(err.code ?? 1) : 0 });
    });
  });
}

describe('the conformance suite itself', () => {
  test('fails an engine whose kill and close leave the real work running', { timeout: 60_000 }, async () => {
    const file = fileURLToPath(new URL('./fixtures/leaky-engine.suite.js', import.meta.url));
    const { tap, exitCode } = await runTests(file);
    assert.notEqual(exitCode, 0);
    const outcome = (name: string) => new RegExp(`^ {4}(not ok|ok) \\d+ - ${name}$`, 'm').exec(tap)?.[1];
    assert.equal(outcome('kill stops the real work, and the engine serves the next task'), 'not ok', tap);
    assert.equal(outcome('close kills running work, releases everything and exits Success'), 'not ok', tap);
    assert.match(tap, /the probe still sees the work running after Cancelled/);
    assert.match(tap, /the probe still sees the work running after shutdown/);
    for (const passing of [
      'runs a task and reads its result sets back',
      'streams its log in order, as the journal tells it',
      'reports progress that only grows and ends at 1',
      'concurrent tasks run at once and do not mix their outputs',
    ]) {
      assert.equal(outcome(passing), 'ok', `${passing}\n${tap}`);
    }
  });
});
