import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { waitFor } from '@engineconn/testkit';
import { openPython, type PythonFixture } from './test-support.js';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('python engine: running code', () => {
  let py: PythonFixture;
  before(async () => {
    py = await openPython();
  });
  after(() => py.close());

  test('variables survive between tasks', async () => {
    await py.run('counter = 41\ndef bump(n):\n    return n + 1');
    const task = await py.run('bump(counter)');
    assert.equal(task.text(0), '42');
  });

  test('a trailing expression is shown as TEXT unless it is None or ends with a semicolon', async () => {
    const shown = await py.run('x = [1, "two"]\nx');
    assert.deepEqual(
      shown.resultSets.map((r) => r.type),
      ['TEXT'],
    );
    assert.equal(shown.text(0), "[1, 'two']");
    assert.equal((await py.run('None')).resultSets.length, 0);
    assert.equal((await py.run('print("side effect")')).resultSets.length, 0);
    assert.equal((await py.run('len("abc");')).resultSets.length, 0);
    assert.equal((await py.run('_')).text(0), "[1, 'two']");
  });

  test('prints stream as log lines, all of them, in order', async () => {
    const task = await py.run('import sys\nfor i in range(10000):\n    print(i)\nprint("err", file=sys.stderr)');
    const numbers = task.logs.filter((line) => /^\d+$/.test(line));
    assert.deepEqual(
      numbers,
      Array.from({ length: 10000 }, (_, i) => String(i)),
    );
    assert.ok(task.logs.includes('err'));
    assert.equal(task.logs.length, 10001);
  });

  test('output is logged while the task runs, not at its end', async () => {
    // The code waits for a file the test writes only after it has seen the first line: that line
    // was logged while the task ran, however slowly the machine goes.
    const dir = mkdtempSync(join(tmpdir(), 'ec-python-live-'));
    const go = join(dir, 'go');
    try {
      const { task, done } = py.start(
        `import os, time\nprint("first", flush=False)\nwhile not os.path.exists(${JSON.stringify(go)}): time.sleep(0.01)\nprint("second")`,
      );
      await waitFor(() => task.logs.includes('first'), { what: 'the first line, while the task waits' });
      assert.deepEqual(task.logs, ['first']);
      writeFileSync(go, '');
      await done;
      assert.deepEqual(task.logs, ['first', 'second']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('show_table, show_html and show_image add result sets in the order called', async () => {
    const task = await py.run(
      [
        'import base64, datetime',
        'show_table([{"id": 1, "name": "a", "at": datetime.date(2024, 1, 2)}, {"id": 2, "name": None, "score": 1.5}])',
        'show_html("<b>bold</b>")',
        'show_table([(1, True), (2, False)], columns=["n", "flag"])',
        `show_image(base64.b64decode("${PNG_1X1}"))`,
      ].join('\n'),
    );
    assert.deepEqual(
      task.resultSets.map((r) => r.type),
      ['TABLE', 'HTML', 'TABLE', 'PICTURE'],
    );
    const [first, html, second, picture] = task.resultSets;
    assert.deepEqual(first?.columns, [
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'at', type: 'DATE' },
      { name: 'score', type: 'DOUBLE' },
    ]);
    assert.deepEqual(first?.rows, [
      [1, 'a', '2024-01-02', null],
      [2, null, null, 1.5],
    ]);
    assert.equal(html?.chunks.join(''), '<b>bold</b>');
    assert.deepEqual(second?.columns, [
      { name: 'n', type: 'BIGINT' },
      { name: 'flag', type: 'BOOLEAN' },
    ]);
    assert.deepEqual(second?.rows, [
      [1, true],
      [2, false],
    ]);
    assert.equal(picture?.mimeType, 'image/png');
    assert.deepEqual(Buffer.from(picture?.chunks[0] as Uint8Array), Buffer.from(PNG_1X1, 'base64'));
    assert.ok(task.resultSets.every((r) => r.closed));
  });

  test('show_table keeps NaN, the infinities, -0 and integers beyond 2^53 (docs/api.md)', async () => {
    const task = await py.run(
      'show_table([(float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 2**63, -(2**53 - 1))], columns=list("abcdefg"))',
    );
    assert.deepEqual(task.resultSets[0]?.rows, [
      ['NaN', 'Infinity', '-Infinity', '-0', 0, '9223372036854775808', -(2 ** 53 - 1)],
    ]);
  });

  test('a large table streams in batches and arrives whole', async () => {
    const task = await py.run('show_table(([i, str(i)] for i in range(25000)), columns=["i", "s"])');
    const rows = task.resultSets[0]?.rows ?? [];
    assert.equal(rows.length, 25000);
    assert.deepEqual(rows[24999], [24999, '24999']);
  });

  test('an exception fails the task with its last line; the traceback is logged', async () => {
    let task: ReturnType<PythonFixture['start']>['task'] | undefined;
    await assert.rejects(
      async () => {
        const started = py.start('def inner():\n    raise ValueError("bad value")\ninner()');
        task = started.task;
        await started.done;
      },
      (err: unknown) => {
        assert.ok(err instanceof EngineConnError);
        assert.equal(err.code, 'EC_ENGINE_ERROR');
        assert.equal(err.message, 'ValueError: bad value');
        return true;
      },
    );
    const logs = task?.logs ?? [];
    assert.equal(logs[0], 'Traceback (most recent call last):');
    assert.ok(logs.some((line) => line.includes('line 2, in inner')));
    assert.ok(!logs.some((line) => line.includes('driver.py')), 'driver frames are hidden');
    assert.equal(logs.at(-1), 'ValueError: bad value');
  });

  test('a SyntaxError names the line', async () => {
    await assert.rejects(py.run('x = 1\ny = (\nz = 3 +'), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(err.message, /^SyntaxError: .* \(line \d\)$/);
      return true;
    });
    await assert.rejects(py.run('if True:\nprint(1)'), /IndentationError: expected an indented block .*\(line 2\)/);
  });

  test('sys.exit(0) ends the task successfully, sys.exit(2) fails it; the interpreter stays', async () => {
    const pid = py.session.pid;
    await py.run('import sys\nsys.exit(0)');
    await assert.rejects(py.run('import sys\nsys.exit(2)'), /SystemExit: 2/);
    assert.equal(py.session.pid, pid);
  });

  test('bytes that are not UTF-8 become U+FFFD in the log', async () => {
    const task = await py.run('import sys\nsys.stdout.buffer.write(b"caf\\xe9 \\xff ok\\n");\nprint("\\u20ac")');
    assert.deepEqual(task.logs, ['caf\uFFFD \uFFFD ok', '\u20AC']);
  });

  test('input() sees end of file instead of hanging', async () => {
    await assert.rejects(py.run('input()'), /EOFError/);
  });
});
