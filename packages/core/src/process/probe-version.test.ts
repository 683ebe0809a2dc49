import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeVersion } from './probe-version.js';

test('probeVersion reads major.minor from the banner of a real binary', () => {
  assert.match(probeVersion('bash', /version (\d+\.\d+)/), /^\d+\.\d+$/);
});

test('probeVersion answers unknown for a missing command or a banner that does not match', () => {
  assert.equal(probeVersion('/nonexistent/ec-no-such-binary', /(\d+\.\d+)/), 'unknown');
  assert.equal(probeVersion(process.execPath, /no version here (\d+)/), 'unknown');
});
