import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { checkPlainHttpBind } from './tls-files.js';

function capture() {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

test('loopback binds need no TLS; others need TLS or --insecure-http, which warns', () => {
  const { logger, lines } = capture();
  for (const host of ['127.0.0.1', '::1', 'localhost']) checkPlainHttpBind(host, null, {}, logger);
  assert.throws(() => checkPlainHttpBind('0.0.0.0', null, {}, logger), /--insecure-http/);
  const tls = { cert: Buffer.from(''), key: Buffer.from(''), keyPath: 'k' };
  checkPlainHttpBind('0.0.0.0', tls, {}, logger);
  assert.deepEqual(lines, []);
  checkPlainHttpBind('10.0.0.5', null, { insecureHttp: true }, logger);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /unencrypted/);
});
