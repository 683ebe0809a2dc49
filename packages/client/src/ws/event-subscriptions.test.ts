import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventSubscriptions } from './event-subscriptions.js';

const event = (taskId: string, seq: number, name = 'log') =>
  JSON.stringify({ type: 'event', taskId, seq, event: name, data: { from: 0, lines: [] } });

describe('EventSubscriptions', () => {
  test('delivers each event of a followed task once, and resumes after the last one seen', () => {
    const subs = new EventSubscriptions();
    assert.deepEqual(subs.subscribe('t1'), { type: 'subscribe', taskId: 't1' });
    assert.equal(subs.accept(event('t1', 1))?.type, 'event');
    assert.equal(subs.accept(event('t1', 2))?.type, 'event');
    assert.equal(subs.accept(event('t1', 2)), null, 'a replayed event');
    assert.equal(subs.accept(event('t2', 1)), null, 'a task not followed');
    assert.deepEqual(subs.resume(), [{ type: 'subscribe', taskId: 't1', after: 2 }]);
  });

  test('a task that sent done is not renewed, and with none left nothing is unfinished', () => {
    const subs = new EventSubscriptions();
    subs.subscribe('t1', 5);
    assert.equal(subs.unfinished, true);
    assert.equal(subs.accept(event('t1', 6, 'done'))?.type, 'event');
    assert.deepEqual(subs.resume(), []);
    assert.equal(subs.unfinished, false);
  });

  test("'*' follows every task whose events arrive, and is renewed itself", () => {
    const subs = new EventSubscriptions();
    assert.deepEqual(subs.subscribe('*', 3), { type: 'subscribe', taskId: '*' });
    assert.equal(subs.accept(event('t9', 1))?.type, 'event');
    assert.deepEqual(subs.resume(), [
      { type: 'subscribe', taskId: 't9', after: 1 },
      { type: 'subscribe', taskId: '*' },
    ]);
    assert.deepEqual(subs.unsubscribe('*'), { type: 'unsubscribe', taskId: '*' });
    assert.equal(subs.accept(event('t8', 1)), null);
  });

  test('an error about a subscription is delivered and ends it; a slow-consumer notice and garbage are not', () => {
    const subs = new EventSubscriptions();
    subs.subscribe('t1');
    const refused = subs.accept(
      JSON.stringify({ type: 'error', code: 'EC_TASK_NOT_FOUND', message: 'no task t1', taskId: 't1' }),
    );
    assert.deepEqual(refused, { type: 'error', code: 'EC_TASK_NOT_FOUND', message: 'no task t1', taskId: 't1' });
    assert.equal(subs.unfinished, false);
    assert.equal(subs.accept(JSON.stringify({ type: 'error', code: 'EC_SLOW_CONSUMER', message: 'behind' })), null);
    assert.equal(subs.accept('not json'), null);
    assert.equal(subs.accept(JSON.stringify({ type: 'event', taskId: 't1', seq: 'x', event: 'log' })), null);
    assert.deepEqual(subs.accept(JSON.stringify({ type: 'error', code: 'EC_NOPE', message: 7 })), {
      type: 'error',
      code: 'EC_INTERNAL',
      message: 'event socket error',
    });
  });
});
