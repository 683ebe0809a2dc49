import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { DRIVER_PROTOCOL_VERSION, type DriverMessage, PROTOCOL_ENV, parseDriverMessage } from './driver-protocol.js';
import { DRIVER_PATH } from './interpreter.js';
import { readMessages } from './message-reader.js';
import { openPython } from './test-support.js';

/** The real driver under python3, spoken to directly over its fd 3 / fd 4 pipes. */
function driver(protocol: string) {
  const child = spawn('python3', [DRIVER_PATH], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ENGINECONN_PY_SYNC: '\x1e-sync-\x1e', [PROTOCOL_ENV]: protocol },
  });
  const requests = child.stdio[3] as Writable;
  const messages: DriverMessage[] = [];
  const bad: string[] = [];
  let changed: () => void = () => {};
  void readMessages(
    child.stdio[4] as Readable,
    async (message) => {
      messages.push(message);
      changed();
    },
    (_line, why) => bad.push(why),
  );
  /** Resolves once `count` messages have arrived (the driver answers every request in order). */
  const received = (count: number) =>
    new Promise<DriverMessage[]>((resolve) => {
      changed = () => {
        if (messages.length >= count) resolve(messages.slice());
      };
      changed();
    });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, requests, messages, bad, received, exited };
}

describe('python driver protocol', () => {
  test('the driver announces its protocol version in ready', async (t) => {
    const d = driver(String(DRIVER_PROTOCOL_VERSION));
    t.after(() => d.child.kill('SIGKILL'));
    const [ready] = await d.received(1);
    assert.equal(ready?.type, 'ready');
    assert.equal(ready?.type === 'ready' && ready.protocol, DRIVER_PROTOCOL_VERSION);
  });

  test('a driver asked for another protocol version refuses with fatal and exits', async () => {
    const d = driver('999');
    const [fatal] = await d.received(1);
    assert.equal(fatal?.type, 'fatal');
    assert.match(fatal?.type === 'fatal' ? fatal.message : '', /speaks protocol version 1, the EngineConn version 999/);
    const [code] = await d.exited;
    assert.equal(code, 3);
  });

  test('the driver answers malformed and unknown requests with protocol-error and keeps serving', async (t) => {
    const d = driver(String(DRIVER_PROTOCOL_VERSION));
    t.after(() => d.child.kill('SIGKILL'));
    await d.received(1);
    d.requests.write('not json\n');
    d.requests.write('{"type":"evaluate","id":"t1","code":"1"}\n');
    d.requests.write('{"type":"run","id":7,"code":"1"}\n');
    d.requests.write('{"type":"run","id":"t2","code":"1","extra":true}\n');
    d.requests.write('{"type":"run","id":"t3","code":"41 + 1"}\n');
    const all = await d.received(1 + 4 + 3);
    assert.deepEqual(
      all.slice(1, 5).map((m) => (m.type === 'protocol-error' ? m.message : m.type)),
      [
        'a request that is not JSON',
        "an unknown request type 'evaluate'",
        'a run request without exactly the string fields type, id and code',
        'a run request without exactly the string fields type, id and code',
      ],
    );
    assert.deepEqual(all.slice(5), [
      { type: 'started', id: 't3' },
      { type: 'result', kind: 'TEXT', text: '42' },
      { type: 'done', id: 't3', status: 'ok' },
    ]);
    assert.deepEqual(d.bad, []);
  });

  test('the EngineConn side refuses lines that are not protocol messages, saying why', () => {
    assert.deepEqual(parseDriverMessage('{"type":"done","id":"t","status":"ok"}'), {
      ok: true,
      message: { type: 'done', id: 't', status: 'ok' },
    });
    const why = (line: string) => {
      const parsed = parseDriverMessage(line);
      return parsed.ok ? 'accepted' : parsed.why;
    };
    assert.equal(why('{"type":"done",'), 'not JSON');
    assert.equal(why('[1,2]'), 'no message type');
    assert.equal(why('{"type":"telemetry","id":"t"}'), "a 'telemetry' message that does not fit the protocol");
    assert.equal(why('{"type":"done","id":"t","status":"error"}'), "a 'done' message that does not fit the protocol");
    assert.equal(
      why('{"type":"result","kind":"TABLE","columns":[],"rows":[[1]]}'),
      "a 'result' message that does not fit the protocol",
    );
  });
});

describe('python engine: a driver that breaks the protocol', () => {
  test('a driver of another protocol version fails the start with EC_ENGINE_START_FAILED naming both', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'py-proto-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // The driver of a release that speaks the next version: the same script with its number raised.
    const other = join(dir, 'driver.py');
    const source = readFileSync(DRIVER_PATH, 'utf8');
    const raised = source.replace(/^PROTOCOL_VERSION = \d+$/m, `PROTOCOL_VERSION = ${DRIVER_PROTOCOL_VERSION + 1}`);
    assert.notEqual(raised, source);
    writeFileSync(other, raised);
    const python = join(dir, 'python');
    writeFileSync(python, `#!/bin/sh\nexec python3 ${other}\n`, { mode: 0o755 });
    await assert.rejects(openPython({ 'python.command': python }), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(
        err.message,
        new RegExp(
          `speaks protocol version ${DRIVER_PROTOCOL_VERSION + 1}, the EngineConn version ${DRIVER_PROTOCOL_VERSION}`,
        ),
      );
      return true;
    });
  });

  test('a driver that answers ready with another version fails the start too (the EngineConn checks)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'py-proto-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // A driver of an older release that did not check the version it was asked for.
    const other = join(dir, 'driver.py');
    const source = readFileSync(DRIVER_PATH, 'utf8');
    const unchecked = source
      .replace(/^PROTOCOL_VERSION = \d+$/m, 'PROTOCOL_VERSION = 0')
      .replace(/^ {4}check_protocol\(\)$/m, '    pass');
    writeFileSync(other, unchecked);
    const python = join(dir, 'python');
    writeFileSync(python, `#!/bin/sh\nexec python3 ${other}\n`, { mode: 0o755 });
    await assert.rejects(openPython({ 'python.command': python }), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(err.message, /driver speaks protocol version 0 and this EngineConn version 1/);
      return true;
    });
  });

  for (const [what, line] of [
    ['an unknown message', '{"type":"telemetry","id":"x"}'],
    ['a line that is not JSON', 'hello'],
  ] as const) {
    test(`${what} on the message pipe fails the task and the next task runs in a new interpreter`, async (t) => {
      const py = await openPython();
      t.after(() => py.close());
      await py.run('kept = 1');
      const before = py.session.pid;
      // User code can reach the driver's own pipe; what it writes there must not be trusted.
      await assert.rejects(
        py.run(`import os\nos.write(4, ${JSON.stringify(`${line}\n`)}.encode())`),
        (err: unknown) => {
          assert.ok(err instanceof EngineConnError);
          assert.equal(err.code, 'EC_ENGINE_CRASHED');
          assert.match(err.message, /broke its protocol/);
          assert.match(err.message, /variables were lost/);
          return true;
        },
      );
      const next = await py.run('"kept" in globals()');
      assert.equal(next.text(0), 'False');
      assert.notEqual(py.session.pid, before);
    });
  }
});
