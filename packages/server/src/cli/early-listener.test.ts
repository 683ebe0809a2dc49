import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { listenEarly } from './early-listener.js';

describe('listenEarly', () => {
  test('a request that arrives before the server exists waits, and is served once it is handed over', async () => {
    const early = await listenEarly('127.0.0.1', 0);
    const answer = fetch(`http://127.0.0.1:${early.address.port}/early`).then((r) => r.text());
    // The connection is accepted and held: the request is only read once a server takes it.
    await new Promise<void>((resolve, reject) =>
      connect(early.address.port, '127.0.0.1').once('connect', resolve).once('error', reject).end(),
    );
    const server = createServer((req, res) => res.end(`served ${req.url}`));
    early.handOver(server);
    assert.equal(await answer, 'served /early');
    assert.equal(await fetch(`http://127.0.0.1:${early.address.port}/later`).then((r) => r.text()), 'served /later');
    // The server tracks the connections it was handed: closing it closes them and the port.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(fetch(`http://127.0.0.1:${early.address.port}/gone`), 'the port is released with the server');
  });

  test('a connection held longer than the bound is dropped', async () => {
    const early = await listenEarly('127.0.0.1', 0, { heldTimeoutMs: 50 });
    // Connects and sends nothing while there is no server yet: the listener hangs up on it.
    const silent = connect(early.address.port, '127.0.0.1');
    await new Promise((resolve, reject) => silent.once('close', resolve).once('error', reject));
    assert.equal(silent.readyState, 'closed');
    early.close();
  });

  test('a held connection handed over is on the server timeouts alone', async () => {
    const early = await listenEarly('127.0.0.1', 0);
    const client = connect(early.address.port, '127.0.0.1');
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    const server = createServer();
    const taken = new Promise<Socket>((resolve) => server.once('connection', resolve));
    early.handOver(server);
    const socket = await taken;
    assert.ok(!socket.timeout, `the held connection's bound is cleared, not ${socket.timeout} ms`);
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('drained waits for a request in flight when the server closes, then for nothing more', async () => {
    const early = await listenEarly('127.0.0.1', 0);
    const order: string[] = [];
    let release = () => {};
    let arrive = () => {};
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const server = createServer((_req, res) => {
      res.once('finish', () => order.push('answered'));
      release = () => res.end('done');
      arrive();
    });
    early.handOver(server);
    const answer = fetch(`http://127.0.0.1:${early.address.port}/slow`).then((r) => r.text());
    await arrived;
    // The server never accepted the connection itself, so its close() does not wait for it.
    const closed = new Promise((resolve) => server.close(resolve)).then(() => order.push('closed'));
    const drained = early.drained().then(() => order.push('drained'));
    await closed;
    release();
    assert.equal(await answer, 'done', 'the request in flight is answered, not cut off');
    await drained;
    assert.deepEqual(order, ['closed', 'answered', 'drained']);
    await early.drained();
  });

  test('drained ends when the server is forced to close a request that never ends', async () => {
    const early = await listenEarly('127.0.0.1', 0);
    let arrive = () => {};
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    // Never answers: only the force-close (closeServer's, after its grace) ends this connection.
    const server = createServer(() => arrive());
    early.handOver(server);
    const answer = fetch(`http://127.0.0.1:${early.address.port}/stalled`).then(
      () => 'answered',
      () => 'cut off',
    );
    await arrived;
    await new Promise((resolve) => server.close(resolve));
    const drained = early.drained();
    server.closeAllConnections();
    await drained;
    assert.equal(await answer, 'cut off');
  });

  test('localhost is bound on each of its addresses, on one port', async () => {
    const addresses = [...new Set((await lookup('localhost', { all: true })).map((a) => a.address))];
    const early = await listenEarly('localhost', 0);
    const server = createServer((_req, res) => res.end('ok'));
    early.handOver(server);
    for (const address of addresses) {
      const host = address.includes(':') ? `[${address}]` : address;
      assert.equal(await fetch(`http://${host}:${early.address.port}/`).then((r) => r.text()), 'ok', address);
    }
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a port in use fails at once, before anything else starts', async () => {
    const taken = await listenEarly('127.0.0.1', 0);
    await assert.rejects(listenEarly('127.0.0.1', taken.address.port), /EADDRINUSE/);
    taken.close();
  });

  test('close() drops connections still waiting', async () => {
    const early = await listenEarly('127.0.0.1', 0);
    const answer = fetch(`http://127.0.0.1:${early.address.port}/`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise<void>((resolve, reject) =>
      connect(early.address.port, '127.0.0.1').once('connect', resolve).once('error', reject).end(),
    );
    early.close();
    assert.equal(await answer, 'dropped');
  });
});
