import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Caller } from '@engineconn/core';
import { waitFor } from '@engineconn/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventsWsPlugin } from '../http/ws/events-ws.js';
import { type LiveTestServer, startLiveServer } from '../test-support/test-server.js';
import { consolePlugin } from './console-plugin.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium to run the browser test`;
const owner: Caller = { user: 'owner', admin: false };

/**
 * What a page of another site tries against a local EngineConn (the attacks of issue #9), run in
 * the page. It even knows the owner token, as if it had leaked: the Origin check alone must stop it.
 */
function attack({ ec, token }: { ec: string; token: string }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { wsMessages: [] as string[] };
  const ws = new Promise<void>((resolve) => {
    const socket = new WebSocket(`${ec.replace('http', 'ws')}/api/v1/events?token=${token}`);
    socket.onopen = () => {
      out.wsOpened = true;
      socket.send(JSON.stringify({ type: 'subscribe', taskId: '*' }));
    };
    socket.onmessage = (event) => {
      (out.wsMessages as string[]).push(String(event.data));
      resolve();
    };
    socket.onerror = () => {
      out.wsError = true;
    };
    socket.onclose = () => resolve();
  });
  const shutdown = fetch(`${ec}/api/v1/engineconn/shutdown`, { method: 'POST', mode: 'no-cors' }).then(
    () => 'sent',
    () => 'failed',
  );
  const tokenShutdown = fetch(`${ec}/api/v1/engineconn/shutdown`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  }).then(
    (r) => r.status,
    () => 'blocked',
  );
  const read = fetch(`${ec}/api/v1/tasks`, { headers: { authorization: `Bearer ${token}` } }).then(
    (r) => r.text(),
    () => 'blocked',
  );
  const text = fetch(`${ec}/api/v1/tasks`, {
    method: 'POST',
    mode: 'no-cors',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ code: 'log 1' }),
  }).then(
    () => 'sent',
    () => 'failed',
  );
  return Promise.all([ws, shutdown, tokenShutdown, read, text]).then(([, s, ts, r, t]) => ({
    ...out,
    shutdown: s,
    tokenShutdown: ts,
    read: r,
    text: t,
  }));
}

describe('a page of another origin in Chromium', { skip }, () => {
  let server: LiveTestServer;
  let evil: Server;
  let evilUrl: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startLiveServer({ plugins: [eventsWsPlugin, consolePlugin] });
    evil = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await browser?.close();
    evil?.closeAllConnections();
    await new Promise((resolve) => evil?.close(resolve));
    await server?.close();
  });

  test('can neither read task events over the WebSocket nor shut the EngineConn down', async () => {
    const secret = server.runtime.submit({ code: 'log 3; sleep 5000' }, owner);
    await waitFor(() => server.runtime.getTask(secret.id, owner).info().status === 'Running', {
      what: 'the task to run',
    });
    await page.goto(evilUrl);
    const result = await page.evaluate(attack, { ec: server.url, token: server.ownerToken ?? '' });
    assert.equal(result.wsOpened, undefined, 'the WebSocket upgrade was refused');
    assert.deepEqual(result.wsMessages, []);
    assert.equal(result.tokenShutdown, 'blocked', 'the CORS preflight found no welcome');
    assert.equal(result.read, 'blocked');
    // The no-cors requests went out, and were refused: the EngineConn still runs, with one task only.
    assert.ok(['Unlock', 'Busy'].includes(server.runtime.status), server.runtime.status);
    assert.deepEqual(
      server.runtime.listTasks({ user: 'owner', admin: true }).map((t) => t.id),
      [secret.id],
    );
    server.runtime.kill(secret.id, owner);
  });

  test("the console on the EngineConn's own origin works with the printed token URL", async () => {
    await page.goto(`${server.url}/?token=${server.ownerToken}`);
    await page.locator('#ec-status', { hasText: /Unlock|Busy/ }).waitFor();
    assert.equal(new URL(page.url()).search, '');
    await page.fill('#code', 'log 2; rows 3');
    await page.click('#submit-button');
    await page.locator('#task-status', { hasText: 'Succeed' }).waitFor();
  });

  test('an SVG picture opened directly runs no script (Content-Security-Policy: sandbox)', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg"><script>document.documentElement.setAttribute('data-ran','yes')</script></svg>`;
    const task = server.runtime.submit({ code: `svg ${svg}` }, owner);
    assert.equal((await server.runtime.getTask(task.id, owner).finished).status, 'Succeed');
    const viewer = await browser.newPage({ extraHTTPHeaders: { authorization: `Bearer ${server.ownerToken}` } });
    try {
      const response = await viewer.goto(`${server.url}/api/v1/tasks/${task.id}/results/0`);
      assert.equal(response?.headers()['content-type'], 'image/svg+xml');
      assert.equal(response?.headers()['content-security-policy'], 'sandbox');
      assert.equal(response?.headers()['x-content-type-options'], 'nosniff');
      const ran = await viewer.evaluate('document.documentElement.getAttribute("data-ran")');
      assert.equal(ran, null);
    } finally {
      await viewer.close();
    }
  });
});
