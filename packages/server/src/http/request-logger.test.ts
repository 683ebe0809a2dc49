import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { createApiFastify } from './api-fastify.js';

/** A pino logger at `level` whose lines are collected, parsed. */
function collectingLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level, base: { ec: 'test' } }, stream), lines };
}

async function appLogging(level: string) {
  const { logger, lines } = collectingLogger(level);
  const app = createApiFastify({ logger });
  app.get('/log', async (request) => {
    request.log.info({ step: 1 }, 'an info line');
    request.log.debug('a debug line');
    request.log.child({ part: 'inner' }).warn('a child line');
    return { ok: true };
  });
  app.get('/boom', async () => {
    throw new Error('a fault');
  });
  await app.ready();
  return { app, lines };
}

describe('request loggers', () => {
  test("a request's lines carry the server logger's bindings and the request id, at its levels only", async () => {
    const { app, lines } = await appLogging('info');
    try {
      const res = await app.inject({ method: 'GET', url: '/log' });
      assert.equal(res.statusCode, 200);
      const [info, child, ...rest] = lines;
      assert.deepEqual(rest, [], 'the debug line is below the level');
      assert.equal(info?.msg, 'an info line');
      assert.equal(info?.step, 1);
      assert.equal(info?.ec, 'test');
      assert.match(String(info?.reqId), /^req-/);
      assert.equal(child?.msg, 'a child line');
      assert.equal(child?.part, 'inner');
      assert.equal(child?.reqId, info?.reqId);
    } finally {
      await app.close();
    }
  });

  test('an unexpected error is logged with its request id and the error', async () => {
    const { app, lines } = await appLogging('warn');
    try {
      const res = await app.inject({ method: 'GET', url: '/boom' });
      assert.equal(res.statusCode, 500);
      const line = lines.find((l) => l.msg === 'unexpected error while handling a request');
      assert.ok(line, JSON.stringify(lines));
      assert.match(String(line.reqId), /^req-/);
      assert.equal((line.err as { message?: string }).message, 'a fault');
      assert.equal(line.level, 50);
    } finally {
      await app.close();
    }
  });

  test("the request logger's level is the server logger's", async () => {
    const { logger } = collectingLogger('warn');
    const app = createApiFastify({ logger });
    app.get('/level', async (request) => ({ level: request.log.level }));
    try {
      const res = await app.inject({ method: 'GET', url: '/level' });
      assert.deepEqual(res.json(), { level: 'warn' });
    } finally {
      await app.close();
    }
  });
});
