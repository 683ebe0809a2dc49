import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import WebSocket from 'ws';
import { startLiveServer } from '../../test-support/test-server.js';
import { eventsWsPlugin } from './events-ws.js';

/** Opens a WebSocket to the events route and resolves with the HTTP status that refused it. */
function refusedWith(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/events`, { headers });
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    ws.once('error', reject);
  });
}

test('upgrades refused by the origin guard leave no socket open, and the server still closes', async () => {
  const server = await startLiveServer({ plugins: [eventsWsPlugin] });
  const before = await new Promise<number>((resolve) => server.app.server.getConnections((_e, n) => resolve(n)));
  for (let i = 0; i < 20; i++) {
    assert.equal(
      await refusedWith(server.url, { origin: 'https://evil.example', authorization: `Bearer ${server.ownerToken}` }),
      403,
    );
  }
  assert.equal(await refusedWith(server.url, { host: 'rebind.evil.example' }), 403);
  await waitFor(
    async () =>
      (await new Promise<number>((resolve) => server.app.server.getConnections((_e, n) => resolve(n)))) <= before,
    { what: 'the refused sockets to close' },
  );
  await server.close();
});
