import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openGate, TcpProxy } from '@engineconn/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventsWsPlugin } from '../http/ws/events-ws.js';
import { type LiveTestServer, startLiveServer } from '../test-support/test-server.js';
import { consolePlugin } from './console-plugin.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium to run the browser test`;

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';

/** The little of the DOM the page-side checks use (this package compiles without DOM types). */
interface PageGlobals {
  document: { getElementById(id: string): { textContent: string | null; value?: number } | null };
}

/** Runs in the page: has the log panel shown this exact line? */
function logsInclude(line: string): boolean {
  const { document } = globalThis as unknown as PageGlobals;
  return (document.getElementById('logs')?.textContent ?? '').split('\n').includes(line);
}

/** Runs in the page: mid-task, with part of the progress and this log line shown. */
function runningWith(line: string): boolean {
  const { document } = globalThis as unknown as PageGlobals;
  const progress = document.getElementById('task-progress')?.value ?? 0;
  const status = document.getElementById('task-status')?.textContent;
  const logs = (document.getElementById('logs')?.textContent ?? '').split('\n');
  return status === 'Running' && progress > 0 && progress < 1 && logs.includes(line);
}

describe('the web console in headless Chromium', { skip }, () => {
  let server: LiveTestServer;
  let proxy: TcpProxy;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    server = await startLiveServer({
      plugins: [eventsWsPlugin, consolePlugin],
    });
    proxy = await TcpProxy.start(server.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  test('shows the EngineConn, taking the owner token from ?token= and keeping it out of the address bar', async () => {
    // The URL `engineconn start` prints: the owner token rides in it once.
    await page.goto(`${proxy.url}/?token=${server.ownerToken}`);
    await page.locator('#ec-status', { hasText: 'Unlock' }).waitFor();
    assert.equal(await text(page, '#ec-engine'), 'test 1.0');
    assert.equal(await text(page, '#ec-executor'), 'concurrent');
    assert.match(await text(page, '#ec-labels'), /purpose=test/);
    assert.match(await text(page, '#ec-load'), /0 running, 0 queued, limit \d+/);
    assert.equal(new URL(page.url()).search, '');
    assert.equal(await page.evaluate("sessionStorage.getItem('engineconn.token')"), server.ownerToken);
  });

  test('submit: progress and logs arrive live, then the results page through', async () => {
    // The task waits at a gate after its first 40 lines, so "mid-task" lasts as long as the page needs.
    const midway = 'console-live-midway';
    await page.fill('#code', `log 40; gate ${midway}; log 40; rows 120`);
    await page.click('#submit-button');
    await page.locator('#task-status', { hasText: 'Running' }).waitFor();
    // Mid-task: some of the log and part of the progress are shown while it still runs.
    await page.waitForFunction(runningWith, 'line 39');
    openGate(midway);
    await page.locator('#task-status', { hasText: 'Succeed' }).waitFor();
    assert.equal(await text(page, '#task-progress-text'), '100%');
    const logs = (await text(page, '#logs')).trim().split('\n');
    assert.equal(logs.length, 80);
    assert.deepEqual(logs.slice(38, 42), ['line 38', 'line 39', 'line 0', 'line 1']);

    await page.locator('#result-tabs button', { hasText: '#0 120 rows' }).waitFor();
    assert.equal(await text(page, '#page-info'), 'rows 1–50 of 120');
    assert.equal(await page.locator('#result-view tbody tr').count(), 50);
    await page.click('#next-page');
    await page.locator('#page-info', { hasText: 'rows 51–100 of 120' }).waitFor();
    assert.equal(await text(page, '#result-view tbody tr:first-child td:first-child'), '50');
    // The INTEGER column is a number column, right-aligned; the VARCHAR one is not.
    assert.equal(await page.getAttribute('#result-view tbody tr:first-child td:nth-child(1)', 'class'), 'num');
    assert.equal(await page.getAttribute('#result-view tbody tr:first-child td:nth-child(2)', 'class'), null);
    await page.click('#next-page');
    await page.locator('#page-info', { hasText: 'rows 101–120 of 120' }).waitFor();
    assert.equal(await page.locator('#result-view tbody tr').count(), 20);
    assert.equal(await page.isDisabled('#next-page'), true);
    await page.click('#prev-page');
    await page.locator('#page-info', { hasText: 'rows 51–100 of 120' }).waitFor();

    const id = await text(page, '#task-id');
    await page.locator(`#task-table tr[data-id="${id}"]`, { hasText: 'Succeed' }).waitFor();
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}console.png`, fullPage: true });
  });

  test('a task whose engine reports no progress shows an indeterminate bar with its elapsed time; "live" ends with it', async () => {
    await page.fill('#code', 'sleep 60000');
    await page.click('#submit-button');
    await page.locator('#task-status', { hasText: 'Running' }).waitFor();
    await page.locator('#task-progress-text', { hasText: /^running \d+s$/ }).waitFor();
    assert.equal(await page.getAttribute('#task-progress', 'value'), null, 'indeterminate, not a frozen 0%');
    assert.equal(await text(page, '#task-live'), 'live');
    await page.click('#kill-button');
    await page.locator('#task-status', { hasText: 'Cancelled' }).waitFor();
    await page.waitForFunction("document.getElementById('task-live').textContent === ''");
    assert.doesNotMatch(await text(page, '#task-progress-text'), /running/);
  });

  test('a dropped connection resumes the live log with no gap and no duplicate', async () => {
    await page.fill('#code', 'log 30; sleep 500; log 30; sleep 500; log 30');
    await page.click('#submit-button');
    await page.waitForFunction(logsInclude, 'line 29');
    proxy.cutAll();
    await page.locator('#task-status', { hasText: 'Succeed' }).waitFor();
    const logs = (await text(page, '#logs')).trim().split('\n');
    const expected = [0, 1, 2].flatMap(() => Array.from({ length: 30 }, (_, i) => `line ${i}`));
    assert.deepEqual(logs, expected);
  });

  test('without a token it says how to give one; a token entered in the header is used and kept for the tab', async () => {
    const fresh = await browser.newPage();
    try {
      fresh.setDefaultTimeout(15_000);
      fresh.on('pageerror', (err) => pageErrors.push(err.message));
      await fresh.goto(`${proxy.url}/`);
      await fresh.locator('#banner', { hasText: 'Enter a token above' }).waitFor();
      await fresh.fill('#token', server.ownerToken ?? '');
      await fresh.click('#token-form button');
      await fresh.locator('#ec-status', { hasText: /Unlock|Busy/ }).waitFor();
      assert.equal(await fresh.isHidden('#banner'), true);
      assert.equal(await fresh.evaluate("sessionStorage.getItem('engineconn.token')"), server.ownerToken);
      await fresh.fill('#code', 'log 2');
      await fresh.click('#submit-button');
      await fresh.locator('#task-status', { hasText: 'Succeed' }).waitFor();
      await fresh.waitForFunction(logsInclude, 'line 1');
    } finally {
      await fresh.close();
    }
  });

  test('kill stops a running task', async () => {
    await page.fill('#code', 'log 5; sleep 60000');
    await page.click('#submit-button');
    await page.waitForFunction(logsInclude, 'line 4');
    await page.locator('#task-status', { hasText: 'Running' }).waitFor();
    await page.click('#kill-button');
    await page.locator('#task-status', { hasText: 'Cancelled' }).waitFor();
    assert.match(await text(page, '#task-error'), /EC_TASK_CANCELLED/);
    assert.equal(await page.isDisabled('#kill-button'), true);
    assert.equal(await page.isVisible('#result-pager'), false, 'no pager for a task without results');
    await page.screenshot({ path: `${ARTIFACTS}console-killed.png`, fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
