import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { eventsWsPlugin } from '../../http/ws/events-ws.js';
import { startLiveServer } from '../../test-support/test-server.js';
import { closeServer } from './http-server.js';

/**
 * A WebSocket client that completes the upgrade and then answers nothing: the close frame a
 * shutdown sends it goes unanswered, as with a hung peer.
 */
async function deafWebSocket(url: string, token: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    [
      'GET /api/v1/events HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Authorization: Bearer ${token}`,
      '',
      '',
    ].join('\r\n'),
  );
  const head = await new Promise<string>((resolve, reject) => {
    socket.once('data', (data) => resolve(data.toString('latin1')));
    socket.once('error', reject);
  });
  assert.match(head, /^HTTP\/1\.1 101 /);
  socket.on('data', () => {});
  return socket;
}

// Node stops tracking a connection once it is upgraded, so the server's closeAllConnections() does
// not reach it; without its own force-close, the WebSocket library waits 30 s for the peer's close
// frame and the shutdown with it. The test's deadline is well below that.
test('a WebSocket client that never answers the close frame does not hold the shutdown past the force-close', {
  timeout: 20_000,
}, async () => {
  const server = await startLiveServer({ plugins: [eventsWsPlugin] });
  try {
    const socket = await deafWebSocket(server.url, server.ownerToken as string);
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closeServer(server.app);
    await ended;
    assert.equal(socket.destroyed, true);
  } finally {
    await server.close();
  }
});
