import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from './iso-time.js';

test('isoTime formats as Date#toISOString does, across seconds, years and the edges of its cache', () => {
  const now = Date.now();
  const samples = [
    0,
    1,
    999,
    1000,
    -1,
    -1001,
    now,
    now + 1,
    now + 999,
    now + 1000,
    Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    Date.UTC(2024, 2, 1, 0, 0, 0, 0),
    -62_167_219_200_000,
    -62_167_219_200_001,
    253_402_300_799_999,
    253_402_300_800_000,
    8.64e15,
    now + 0.5,
  ];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 2 * 8.64e15 - 8.64e15));
  for (const ms of samples) assert.equal(isoTime(ms), new Date(ms).toISOString(), `at ${ms}`);
});
