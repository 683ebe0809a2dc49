import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from '@engineconn/protocol/constants';

const docs = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

test('docs/errors.md lists every error code with its HTTP status, and no other', () => {
  const rows = new Map<string, string>();
  for (const match of docs.matchAll(/^\| (EC_[A-Z_]+) \| (\d{3})/gm)) rows.set(match[1] as string, match[2] as string);
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    assert.equal(rows.get(code), String(status), `${code} has HTTP ${status} in the code`);
  }
});
