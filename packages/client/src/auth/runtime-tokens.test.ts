import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  readRuntimeToken,
  removeRuntimeToken,
  runtimeDir,
  runtimeFile,
  runtimeKey,
  writeRuntimeToken,
} from './runtime-tokens.js';

describe('runtime token files', () => {
  const root = mkdtempSync(join(tmpdir(), 'ec-runtime-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('the directory: ENGINECONN_RUNTIME_DIR, else XDG_RUNTIME_DIR/engineconn, else ~/.engineconn/run', () => {
    assert.equal(runtimeDir({ ENGINECONN_RUNTIME_DIR: '/x', XDG_RUNTIME_DIR: '/run/user/1' }), '/x');
    assert.equal(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/1', HOME: '/home/a' }), '/run/user/1/engineconn');
    assert.equal(runtimeDir({ HOME: '/home/a' }), '/home/a/.engineconn/run');
  });

  test('the loopback names share a key; scheme, host and port tell EngineConns apart', () => {
    const key = runtimeKey('http://127.0.0.1:7070');
    for (const url of ['http://localhost:7070/', 'http://[::1]:7070', 'http://127.0.0.2:7070/api']) {
      assert.equal(runtimeKey(url), key, url);
    }
    for (const url of ['https://127.0.0.1:7070', 'http://127.0.0.1:7071', 'http://db.example:7070']) {
      assert.notEqual(runtimeKey(url), key, url);
    }
    assert.equal(runtimeKey('https://ec.example'), 'https://ec.example:443');
  });

  test('a token written for a URL is read back for the same EngineConn by any of its loopback names', () => {
    const dir = join(root, 'a', 'run');
    const file = writeRuntimeToken({ url: 'http://127.0.0.1:7070', token: 'tok-1', pid: 1 }, dir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(readRuntimeToken('http://localhost:7070', dir), 'tok-1');
    assert.equal(readRuntimeToken('http://127.0.0.1:7071', dir), undefined);
    assert.equal(readRuntimeToken('not a url', dir), undefined);
  });

  test('removal leaves a newer EngineConn’s token alone', () => {
    const dir = join(root, 'b');
    writeRuntimeToken({ url: 'http://127.0.0.1:9000', token: 'new', pid: 2 }, dir);
    removeRuntimeToken('http://127.0.0.1:9000', 'old', dir);
    assert.equal(readRuntimeToken('http://127.0.0.1:9000', dir), 'new');
    removeRuntimeToken('http://127.0.0.1:9000', 'new', dir);
    assert.equal(readRuntimeToken('http://127.0.0.1:9000', dir), undefined);
  });

  test('a file others could read, or one for another URL, is ignored', () => {
    const dir = join(root, 'c');
    const file = writeRuntimeToken({ url: 'http://127.0.0.1:9100', token: 'tok', pid: 3 }, dir);
    chmodSync(file, 0o644);
    assert.equal(readRuntimeToken('http://127.0.0.1:9100', dir), undefined);
    const other = runtimeFile('http://127.0.0.1:9200', dir);
    writeFileSync(other, JSON.stringify({ url: 'x', key: 'http://loopback:9100', token: 'planted' }), { mode: 0o600 });
    assert.equal(readRuntimeToken('http://127.0.0.1:9200', dir), undefined);
  });
});
