import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type LiveTestServer, startLiveServer } from '../test-support/test-server.js';

// What a careless or hostile client sends, over a real socket: each answer is the contract's
// `{"error": {code, message}}` with the code's one HTTP status, and nothing crashes or resets.

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** A socket error seen while sending or reading, e.g. EPIPE when the server closed early. */
  error?: string;
}

/** Sends `head` then `bodyBytes` bytes of 'x' on a fresh socket and reads the whole answer. */
function raw(port: number, head: string, bodyBytes = 0): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const headers = split < 0 ? text : text.slice(0, split);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0),
        headers,
        body: split < 0 ? '' : text.slice(split + 4),
        ...(error ? { error } : {}),
      });
    });
    socket.write(head);
    const chunk = Buffer.alloc(256 * 1024, 'x');
    let sent = 0;
    const pump = (): void => {
      while (sent < bodyBytes) {
        const n = Math.min(chunk.length, bodyBytes - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      // Half-close: the server answers, then closes its side.
      socket.end();
    };
    pump();
  });
}

const codeOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('adversarial HTTP requests', () => {
  let server: LiveTestServer;
  let port: number;
  const json = (path: string, init: RequestInit = {}) =>
    server.fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });

  before(async () => {
    server = await startLiveServer();
    port = Number(new URL(server.url).port);
  });
  after(() => server.close());

  test('a known path with the wrong method is 405 EC_METHOD_NOT_ALLOWED with Allow; an unknown path 404', async () => {
    const put = await server.fetch('/api/v1/tasks', { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal((await errorOf(put)).code, 'EC_METHOD_NOT_ALLOWED');
    assert.match(put.headers.get('allow') ?? '', /GET.*POST|POST.*GET/);
    const del = await server.fetch('/api/v1/tasks/t-1', { method: 'DELETE' });
    assert.equal(del.status, 405);
    const unknown = await server.fetch('/api/v1/nothing');
    assert.deepEqual([unknown.status, (await errorOf(unknown)).code], [404, 'EC_NOT_FOUND']);
  });

  test('oversized headers are 431 EC_HEADERS_TOO_LARGE as JSON', async () => {
    const answer = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(answer.status, 431);
    assert.equal(codeOf(answer.body).code, 'EC_HEADERS_TOO_LARGE');
  });

  test('a malformed request line is 400 EC_BAD_REQUEST as JSON', async () => {
    const answer = await raw(port, 'NOT AN HTTP REQUEST\r\n\r\n');
    assert.equal(answer.status, 400);
    assert.equal(codeOf(answer.body).code, 'EC_BAD_REQUEST');
  });

  test('a __proto__ or constructor.prototype key is refused with a message naming it', async () => {
    for (const [body, at] of [
      ['{"code":"x","labels":{"__proto__":{"admin":"yes"}}}', 'labels.__proto__'],
      ['{"code":"x","properties":{"constructor":{"prototype":{"a":1}}}}', 'properties.constructor'],
    ] as const) {
      const res = await json('/api/v1/tasks', { method: 'POST', body });
      assert.equal(res.status, 400);
      const { code, message } = await errorOf(res);
      assert.equal(code, 'EC_BAD_REQUEST');
      assert.ok(message.includes(`'${at}'`) && !/not valid JSON/.test(message), message);
    }
    const plain = await json('/api/v1/tasks', { method: 'POST', body: '{"code":"x","labels":{"constructor":"ok"}}' });
    assert.equal(plain.status, 202, 'a key named constructor with a plain value is fine');
  });

  test('a 20 MB body gets its 413 every time, after the client sent it all', async () => {
    const size = 20 * 1024 * 1024;
    const head =
      `POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${server.ownerToken}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
    for (let i = 0; i < 3; i++) {
      const answer = await raw(port, head, size);
      assert.equal(answer.error, undefined, `the connection was not cut while sending (${answer.error})`);
      assert.equal(answer.status, 413);
      assert.equal(codeOf(answer.body).code, 'EC_PAYLOAD_TOO_LARGE');
    }
  });

  test('a body that is not JSON is 415 EC_UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await server.fetch('/api/v1/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<code>select 1</code>',
    });
    assert.deepEqual([res.status, (await errorOf(res)).code], [415, 'EC_UNSUPPORTED_MEDIA_TYPE']);
  });

  test('labels and properties are bounded: 400 past 64 entries or long keys, 413 past 64 KiB, naming the limit', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    for (const [body, status, code, limit] of [
      [{ code: 'x', labels: many }, 400, 'EC_BAD_REQUEST', /at most 64/],
      [{ code: 'x', properties: many }, 400, 'EC_BAD_REQUEST', /at most 64/],
      [{ code: 'x', labels: { ['k'.repeat(129)]: 'v' } }, 400, 'EC_BAD_REQUEST', /at most 128/],
      [{ code: 'x', labels: { big: 'v'.repeat(2000) } }, 400, 'EC_BAD_REQUEST', /at most 1024/],
      [{ code: 'x', properties: { blob: 'v'.repeat(9 * 1024 * 1024) } }, 413, 'EC_PAYLOAD_TOO_LARGE', /64 KiB/],
    ] as const) {
      const res = await json('/api/v1/tasks', { method: 'POST', body: JSON.stringify(body) });
      const error = await errorOf(res);
      assert.deepEqual([res.status, error.code], [status, code]);
      assert.match(error.message, limit);
    }
  });
});
