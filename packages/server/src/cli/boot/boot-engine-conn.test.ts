import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { type BootOptions, completeBoot, prepareBoot } from './boot-engine-conn.js';
import { TeardownStack } from './teardown-stack.js';

const TEST_ENGINE = fileURLToPath(new URL('../../../../testkit/dist/test-engine.js', import.meta.url));

const dataDirs = mkdtempSync(join(tmpdir(), 'ec-boot-'));
after(() => rmSync(dataDirs, { recursive: true, force: true }));

/** True while something accepts connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function options(engine: string, conf: string[] = []): BootOptions<number> {
  const teardown = new TeardownStack((step, err) => assert.fail(`closing ${step} failed: ${String(err)}`));
  const id = `ec-boot-${process.hrtime.bigint()}`;
  return {
    id,
    flags: { engine, host: '127.0.0.1', conf, maxFreeTime: '0', dataDir: join(dataDirs, id) },
    port: 0,
    logger: pino({ level: 'silent' }),
    teardown,
  };
}

describe('the boot path start and once share', () => {
  test('boots whole, serves on the port bound first, and unwinds everything after the runtime exits', async () => {
    const opts = options(TEST_ENGINE);
    const prepared = await prepareBoot(opts);
    const { port } = prepared.listener.address;
    const booted = await completeBoot(prepared, new AbortController().signal);
    assert.equal(booted.url, `http://127.0.0.1:${port}`);
    assert.equal(booted.runtime.status, 'Unlock');
    assert.equal((await fetch(`${booted.url}/healthz`)).status, 200);

    await booted.runtime.shutdown('the test is done');
    assert.equal((await booted.runtime.exited).exitCode, 0);
    await opts.teardown.unwind();
    assert.equal(await accepts(port), false, 'the port is closed');
  });

  test('a session that fails to open fails the boot; the unwinding closes the port it had bound', async () => {
    const opts = options(TEST_ENGINE, ['test.failSession=no database']);
    const prepared = await prepareBoot(opts);
    const { port } = prepared.listener.address;
    assert.equal(await accepts(port), true, 'bound before the session opens');
    const failure = await completeBoot(prepared, new AbortController().signal).then(
      () => assert.fail('the boot succeeded'),
      (err: unknown) => err,
    );
    assert.match(String(failure), /no database/);
    await opts.teardown.unwind({ failed: true, error: failure });
    assert.equal(await accepts(port), false, 'the port is closed');
  });

  test('a signal while the session opens abandons the start-up, and the unwinding closes the port', async () => {
    // The test engine's createSession then waits until start-up is abandoned.
    const opts = options(TEST_ENGINE, ['test.holdSession=1']);
    const prepared = await prepareBoot(opts);
    const { port } = prepared.listener.address;
    const startup = new AbortController();
    const booting = completeBoot(prepared, startup.signal);
    startup.abort(new Error('signal SIGTERM received'));
    const failure = await booting.then(
      () => assert.fail('the boot succeeded'),
      (err: unknown) => err,
    );
    assert.match(String(failure), /SIGTERM/);
    await opts.teardown.unwind({ failed: true, error: failure });
    assert.equal(await accepts(port), false, 'the port is closed');
  });

  test('a port in use fails the boot, and the unwinding removes the default data directory it had made', async (t) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    t.after(() => taken.close());
    const opts: BootOptions<number> = {
      ...options(TEST_ENGINE),
      port: (taken.address() as AddressInfo).port,
      flags: { engine: TEST_ENGINE, host: '127.0.0.1', conf: [], maxFreeTime: '0' },
    };
    // Where a start without --data-dir puts it (engine-context.ts).
    const dataDir = join(tmpdir(), 'engineconn', opts.id);
    const failure = await prepareBoot(opts).then(
      () => assert.fail('the boot bound a port in use'),
      (err: unknown) => err,
    );
    assert.equal((failure as NodeJS.ErrnoException).code, 'EADDRINUSE');
    assert.ok(existsSync(dataDir), 'the boot had made its data directory before it bound');
    await opts.teardown.unwind({ failed: true, error: failure });
    assert.equal(existsSync(dataDir), false, 'the data directory is gone');
  });
});
