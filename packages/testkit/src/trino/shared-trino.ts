import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_TRINO_START_TIMEOUT_MS, startTrino } from './trino-server.js';
import { trinoToolchain } from './trino-toolchain.js';

/**
 * How a test file gets a real Trino. A Trino takes many seconds to start on a small machine, so
 * one is shared by every test file of a run:
 * - `ENGINECONN_TEST_TRINO_URL`: a coordinator that is already up (nothing is started or stopped);
 * - `ENGINECONN_TEST_TRINO_READY=F`: the test runner is starting one with `trino.mjs start
 *   --ready-file F` while other tests run; wait for F (or `F.error`, written if that start failed);
 * - otherwise this process starts its own and stops it at release().
 * `skip` is set, with the reason, when Java 24+ or Maven cannot be found, so the tests say so.
 */
export type TestTrino =
  | { url: string; skip?: undefined; release(): Promise<void> }
  | { url?: undefined; skip: string; release(): Promise<void> };

const nothing = async () => {};

async function waitForReadyFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(`${file}.error`)) {
      throw new Error(`The shared Trino did not start: ${readFileSync(`${file}.error`, 'utf8')}`);
    }
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      // The file is written whole by one rename, but read defensively.
      try {
        const { url } = JSON.parse(text) as { url?: unknown };
        if (typeof url === 'string') return url;
      } catch {}
    }
    if (Date.now() > deadline) throw new Error(`No Trino came up within ${timeoutMs} ms (waiting for ${file}).`);
    // Not unref()ed: this wait is all a test file does until the server is up.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function acquireTestTrino(env: NodeJS.ProcessEnv = process.env): Promise<TestTrino> {
  if (env.ENGINECONN_TEST_TRINO_SKIP) return { skip: env.ENGINECONN_TEST_TRINO_SKIP, release: nothing };
  if (env.ENGINECONN_TEST_TRINO_URL) return { url: env.ENGINECONN_TEST_TRINO_URL, release: nothing };
  if (env.ENGINECONN_TEST_TRINO_READY) {
    // The runner's own start has the full start deadline, plus the first download.
    const url = await waitForReadyFile(env.ENGINECONN_TEST_TRINO_READY, DEFAULT_TRINO_START_TIMEOUT_MS * 3);
    return { url, release: nothing };
  }
  const toolchain = trinoToolchain(env);
  if (typeof toolchain === 'string') return { skip: `no real Trino: ${toolchain}`, release: nothing };
  const server = await startTrino({ toolchain });
  return { url: server.url, release: () => server.stop() };
}
