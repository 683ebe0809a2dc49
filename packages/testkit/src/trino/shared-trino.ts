import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '@engineconn/core/testing';
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

/** The shared server's URL once its ready file is written; its error file's text if its start failed. */
async function waitForReadyFile(file: string, timeoutMs: number): Promise<string> {
  return waitFor(
    () => {
      if (existsSync(`${file}.error`)) {
        throw new Error(`The shared Trino did not start: ${readFileSync(`${file}.error`, 'utf8')}`);
      }
      if (!existsSync(file)) return undefined;
      // The file is written whole by one rename, but read defensively.
      try {
        const { url } = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown };
        return typeof url === 'string' ? url : undefined;
      } catch {
        return undefined;
      }
    },
    { what: `the shared Trino's ready file ${file}`, timeoutMs, intervalMs: 200 },
  );
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
