import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeOwnerToken } from './owner-token.js';

test('ENGINECONN_TOKEN is taken as the owner token and removed from the environment', () => {
  const env: NodeJS.ProcessEnv = { ENGINECONN_TOKEN: 'chosen-by-a-manager', PATH: '/bin' };
  assert.equal(takeOwnerToken(env), 'chosen-by-a-manager');
  assert.deepEqual(env, { PATH: '/bin' });
});

test('without ENGINECONN_TOKEN (or with an empty one) a fresh 256-bit token is generated each time', () => {
  const a = takeOwnerToken({});
  const b = takeOwnerToken({ ENGINECONN_TOKEN: '' });
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.match(b, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});

test('a token that cannot travel as a bearer token fails the start with EC_CONFIG_INVALID', () => {
  for (const bad of ['has space', 'tab\there', 'naïve']) {
    assert.throws(
      () => takeOwnerToken({ ENGINECONN_TOKEN: bad }),
      (err: unknown) => (err as { code?: string }).code === 'EC_CONFIG_INVALID',
      bad,
    );
  }
});
