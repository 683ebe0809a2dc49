import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TeardownStack } from './teardown-stack.js';

describe('TeardownStack', () => {
  test('undoes the steps last opened first, each once, however often it is unwound', async () => {
    const done: string[] = [];
    const stack = new TeardownStack(() => assert.fail('no undo fails'));
    for (const name of ['listener', 'session', 'server']) {
      stack.defer(name, async () => {
        await Promise.resolve();
        done.push(name);
      });
    }
    const first = stack.unwind();
    const again = stack.unwind({ failed: true, error: new Error('a signal during the unwinding') });
    assert.equal(again, first);
    await Promise.all([first, again, stack.unwind()]);
    assert.deepEqual(done, ['server', 'session', 'listener']);
  });

  test('an undo that throws is reported, and the ones below it still run', async () => {
    const done: string[] = [];
    const failures: string[] = [];
    const stack = new TeardownStack((step, err) => failures.push(`${step}: ${(err as Error).message}`));
    stack.defer('listener', () => {
      done.push('listener');
    });
    stack.defer('server', () => {
      throw new Error('close failed');
    });
    stack.defer('token', () => {
      done.push('token');
    });
    await stack.unwind();
    assert.deepEqual(done, ['token', 'listener']);
    assert.deepEqual(failures, ['server: close failed']);
  });

  test('each undo hears how the run ended', async () => {
    const error = new Error('the session did not open');
    const heard: unknown[] = [];
    const stack = new TeardownStack(() => {});
    stack.defer('report', (cause) => {
      heard.push(cause.failed ? cause.error : 'succeeded');
    });
    await stack.unwind({ failed: true, error });
    assert.deepEqual(heard, [error]);

    const clean = new TeardownStack(() => {});
    let cleanly: unknown;
    clean.defer('report', (cause) => {
      cleanly = cause.failed ? cause.error : 'succeeded';
    });
    await clean.unwind();
    assert.equal(cleanly, 'succeeded');
  });
});
