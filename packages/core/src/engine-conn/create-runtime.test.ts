import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { EngineConnError } from '@engineconn/protocol/constants';
import { defineEngine } from '../plugin/define-engine.js';
import type { EnginePlugin, SessionEnv } from '../plugin/engine-plugin.js';
import { waitFor } from '../testing/wait-for.js';
import { EngineConnRuntime } from './engine-conn-runtime.js';
import { testRuntimeOptions } from './fixtures/script-engine.js';

interface Session {
  closed: boolean;
}

/** An engine whose session opens only when `open()` is called; it records what it was given. */
function gatedEngine(opts: { honoursSignal: boolean }) {
  const seen: { env?: SessionEnv; sessions: Session[] } = { sessions: [] };
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const plugin = defineEngine<Session>({
    name: 'gated',
    version: '1.0',
    defaultExecutor: 'concurrent',
    executors: ['concurrent'],
    runTypes: ['gated'],
    async createSession(_ctx, env) {
      seen.env = env;
      if (opts.honoursSignal) {
        const signalled = new Promise<never>((_, reject) => {
          env.signal.addEventListener('abort', () => reject(new Error('the engine stopped connecting')), {
            once: true,
          });
        });
        await Promise.race([opened, signalled]);
      } else await opened;
      const session = { closed: false };
      seen.sessions.push(session);
      return session;
    },
    createExecutor: () => ({ execute: async () => {} }),
    async closeSession(session) {
      session.closed = true;
    },
  });
  return { plugin: plugin as EnginePlugin<unknown>, seen, open: () => open() };
}

function optionsFor(plugin: EnginePlugin<unknown>, hooks: { after: () => void }) {
  const base = testRuntimeOptions({ hooks: [{ beforeExecutionExecute: hooks.after }] });
  return { ...base, plugin, context: base.context };
}

describe('EngineConnRuntime.create', () => {
  test('resolves a whole runtime: serving, with its settings, and nothing set later', async () => {
    const runtime = await EngineConnRuntime.create(testRuntimeOptions({ options: { 'ec.concurrency': '3' } }));
    assert.equal(runtime.status, 'Unlock');
    assert.equal(runtime.settings.concurrency, 3);
    assert.equal(runtime.info().concurrency.limit, 3);
    assert.equal(runtime.policy.name, 'service');
    await runtime.shutdown();
  });

  test('an abort while the engine connects reaches createSession as SessionEnv.signal and fails the start', async () => {
    const engine = gatedEngine({ honoursSignal: true });
    let hooksAfterSession = 0;
    const controller = new AbortController();
    const creating = EngineConnRuntime.create(optionsFor(engine.plugin, { after: () => void hooksAfterSession++ }), {
      signal: controller.signal,
    });
    await waitFor(() => engine.seen.env !== undefined, { what: 'createSession to be called' });
    assert.equal(engine.seen.env?.signal.aborted, false);
    controller.abort(new Error('shutdown requested during start-up'));
    await assert.rejects(creating, (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(err.message, /abandoned: shutdown requested during start-up/);
      return true;
    });
    assert.equal(engine.seen.env?.signal.aborted, true);
    assert.equal(hooksAfterSession, 0, 'start-up stops where it was');
  });

  test('SessionEnv.signal follows the start-up only until the session opened', async () => {
    const engine = gatedEngine({ honoursSignal: true });
    const controller = new AbortController();
    const creating = EngineConnRuntime.create(optionsFor(engine.plugin, { after: () => {} }), {
      signal: controller.signal,
    });
    await waitFor(() => engine.seen.env !== undefined, { what: 'createSession to be called' });
    engine.open();
    const runtime = await creating;
    // A signal once serving (the CLI passes its SIGTERM signal) is a shutdown, not an abandoned start.
    controller.abort(new Error('signal SIGTERM received'));
    assert.equal(engine.seen.env?.signal.aborted, false);
    await runtime.shutdown();
  });

  test('an engine that ignores the signal: the start fails at once, and its late session is closed', async () => {
    const engine = gatedEngine({ honoursSignal: false });
    const controller = new AbortController();
    const creating = EngineConnRuntime.create(optionsFor(engine.plugin, { after: () => {} }), {
      signal: controller.signal,
    });
    await waitFor(() => engine.seen.env !== undefined, { what: 'createSession to be called' });
    controller.abort(new Error('signal SIGTERM received'));
    await assert.rejects(creating, /abandoned: signal SIGTERM received/);
    engine.open();
    await waitFor(() => engine.seen.sessions[0]?.closed === true, { what: 'the late session to be closed' });
  });

  test('asks the engine for its session before the event loop turns, so the caller overlaps its own start-up', async () => {
    const { plugin, seen, open } = gatedEngine({ honoursSignal: true });
    const creating = EngineConnRuntime.create(optionsFor(plugin, { after: () => {} }));
    // Microtasks only: an await on I/O or a timer before createSession would need a turn of the loop.
    for (let i = 0; i < 100 && !seen.env; i++) await null;
    assert.ok(seen.env, 'createSession was called within the microtasks that follow create()');
    open();
    await (await creating).shutdown();
  });

  test('an already aborted signal fails the start before the engine is asked', async () => {
    const engine = gatedEngine({ honoursSignal: true });
    await assert.rejects(
      EngineConnRuntime.create(optionsFor(engine.plugin, { after: () => {} }), { signal: AbortSignal.abort('stop') }),
      (err: unknown) => err instanceof EngineConnError && err.code === 'EC_ENGINE_START_FAILED',
    );
    assert.equal(engine.seen.env, undefined);
  });

  test('ec.startTimeout bounds createSession even when the engine ignores the signal', async (t) => {
    const engine = gatedEngine({ honoursSignal: false });
    const base = optionsFor(engine.plugin, { after: () => {} });
    const opts = testRuntimeOptions({ options: { 'ec.startTimeout': '50ms' } });
    // The start timeout's timer does not hold the process open (a real engine's sockets do): this does.
    const holdOpen = setInterval(() => {}, 1000);
    t.after(() => clearInterval(holdOpen));
    await assert.rejects(
      EngineConnRuntime.create({ ...base, context: opts.context }),
      /did not open within ec\.startTimeout/,
    );
    engine.open();
    await waitFor(() => engine.seen.sessions[0]?.closed === true, { what: 'the late session to be closed' });
  });

  test('a 30-day ec.startTimeout does not end a start-up that takes longer than one millisecond', async () => {
    const engine = gatedEngine({ honoursSignal: true });
    const base = optionsFor(engine.plugin, { after: () => {} });
    const opts = testRuntimeOptions({ options: { 'ec.startTimeout': '30d' } });
    const creating = EngineConnRuntime.create({ ...base, context: opts.context });
    await waitFor(() => engine.seen.env !== undefined, { what: 'createSession to be called' });
    // Node fires a timer longer than about 24.8 days after 1 ms. One that overflowed was armed
    // before this 1 ms timer, in the same list, so it has fired by the time this one does.
    await delay(1);
    assert.equal(engine.seen.env?.signal.aborted, false);
    engine.open();
    const runtime = await creating;
    assert.equal(runtime.status, 'Unlock');
    await runtime.shutdown();
  });

  test('a failing start-up hook after the session opened closes the session', async () => {
    const engine = gatedEngine({ honoursSignal: true });
    engine.open();
    const base = testRuntimeOptions({
      hooks: [
        {
          afterExecutionExecute: () => {
            throw new Error('the hook refused');
          },
        },
      ],
    });
    await assert.rejects(
      EngineConnRuntime.create({ ...base, plugin: engine.plugin }),
      (err: unknown) =>
        err instanceof EngineConnError && /afterExecutionExecute hook failed: the hook refused/.test(err.message),
    );
    assert.equal(engine.seen.sessions[0]?.closed, true);
  });
});
