import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fifo } from './fifo.js';

test('a Fifo gives its items back in order across compactions, and says when it is empty', () => {
  const queue = new Fifo<number>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.peek(), undefined);
  let next = 0;
  let expected = 0;
  // Kept between 3,000 and 3,100 long for a while, then drained: the front is dropped many times.
  for (let round = 0; round < 200; round++) {
    while (queue.size < 3100) queue.push(next++);
    for (let i = 0; i < 100; i++) {
      assert.equal(queue.peek(), expected);
      assert.equal(queue.shift(), expected++);
    }
  }
  while (queue.size > 0) assert.equal(queue.shift(), expected++);
  assert.equal(expected, next);
  assert.equal(queue.shift(), undefined);
  queue.push(7);
  assert.equal(queue.size, 1);
  assert.equal(queue.shift(), 7);
});
