import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AsyncListenerBus } from './async-listener-bus.js';
import { SyncListenerBus } from './listener-bus.js';

interface Events {
  tick: { n: number };
  other: string;
}

describe('SyncListenerBus', () => {
  test('runs listeners inline in order; a throwing listener is reported and does not stop the others', () => {
    const errors: string[] = [];
    const bus = new SyncListenerBus<Events>((event) => errors.push(event));
    const seen: string[] = [];
    bus.on('tick', (e) => seen.push(`a${e.n}`));
    bus.on('tick', () => {
      throw new Error('bad listener');
    });
    const off = bus.on('tick', (e) => seen.push(`c${e.n}`));
    bus.emit('tick', { n: 1 });
    off();
    bus.emit('tick', { n: 2 });
    assert.deepEqual(seen, ['a1', 'c1', 'a2']);
    assert.deepEqual(errors, ['tick', 'tick']);
  });
});

describe('AsyncListenerBus', () => {
  test('emit returns before listeners run; a slow listener never stalls the emitter', async () => {
    const bus = new AsyncListenerBus<Events>(100);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: number[] = [];
    bus.on('tick', async (e) => {
      await gate;
      seen.push(e.n);
    });
    // The loop is synchronous and the listener's gate still closed: had emit waited for it, the
    // loop would never end.
    for (let n = 0; n < 50; n++) bus.emit('tick', { n });
    assert.deepEqual(seen, []);
    release();
    await bus.idle();
    assert.deepEqual(
      seen,
      Array.from({ length: 50 }, (_, n) => n),
    );
    assert.equal(bus.stats.delivered, 50);
  });

  test('the queue is bounded; overflow is counted, never silent', async () => {
    const bus = new AsyncListenerBus<Events>(10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bus.on('tick', () => gate);
    for (let n = 0; n < 25; n++) bus.emit('tick', { n });
    assert.equal(bus.stats.dropped, 15);
    release();
    await bus.close();
    assert.equal(bus.stats.delivered, 10);
  });

  test('a listener that rejects is counted as failed and later events still arrive', async () => {
    const errors: unknown[] = [];
    const bus = new AsyncListenerBus<Events>(10, (_event, err) => errors.push(err));
    const seen: string[] = [];
    bus.on('other', async (s) => {
      if (s === 'bad') throw new Error('nope');
      seen.push(s);
    });
    bus.emit('other', 'bad');
    bus.emit('other', 'good');
    await bus.idle();
    assert.deepEqual(seen, ['good']);
    assert.equal(bus.stats.failed, 1);
    assert.equal(errors.length, 1);
  });
});
