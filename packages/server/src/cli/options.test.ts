import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseIntegerFlag, parseKeyValues, parseSize, readConfigFile } from './options.js';

describe('CLI option parsing', () => {
  test('k=v pairs: the value may hold =, the last key wins, a missing key is refused', () => {
    assert.deepEqual(parseKeyValues(['a=1', 'b=x=y', 'a=2', 'c='], '--conf'), { a: '2', b: 'x=y', c: '' });
    assert.throws(() => parseKeyValues(['novalue'], '--conf'), /--conf expects key=value/);
    assert.throws(() => parseKeyValues(['=v'], '--label'), /--label expects key=value/);
  });

  test('sizes take bytes or units', () => {
    assert.equal(parseSize('1048576', '--body-limit'), 1048576);
    assert.equal(parseSize('10MiB', '--body-limit'), 10 * 1024 * 1024);
    assert.equal(parseSize('512kb', '--body-limit'), 512_000);
    assert.equal(parseSize('1.5 GiB', '--body-limit'), 1.5 * 1024 ** 3);
    assert.throws(() => parseSize('ten', '--body-limit'), /--body-limit must be a size/);
    assert.throws(() => parseSize('0', '--body-limit'), /at least 1 byte/);
  });

  test('integers are range-checked with the flag named', () => {
    assert.equal(parseIntegerFlag('0', '--port', 0, 65535), 0);
    assert.throws(() => parseIntegerFlag('70000', '--port', 0, 65535), /--port must be a whole number from 0 to 65535/);
    assert.throws(() => parseIntegerFlag('2.5', '--concurrency', 1), /--concurrency/);
    assert.throws(() => parseIntegerFlag('', '--concurrency', 1), /--concurrency/);
  });

  test('a config file flattens nested objects to dotted keys', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-config-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ ec: { concurrency: 4, killGrace: '5s' }, 'duckdb.threads': 2, debug: true }),
    );
    assert.deepEqual(await readConfigFile(file), {
      'ec.concurrency': '4',
      'ec.killGrace': '5s',
      'duckdb.threads': '2',
      debug: 'true',
    });
    await writeFile(file, JSON.stringify({ ec: { list: [1, 2] } }));
    await assert.rejects(readConfigFile(file), /sets 'ec\.list'/);
    await writeFile(file, '[1]');
    await assert.rejects(readConfigFile(file), /must hold a JSON object/);
    await writeFile(file, '{');
    await assert.rejects(readConfigFile(file), /Cannot read the config file/);
  });
});
