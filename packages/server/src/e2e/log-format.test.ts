import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { readyFileOf } from '../test-support/fetch-json.js';
import { BIN, readyFileIn, startArgs } from './spawn-engineconn.js';

const SCRIPT = '/usr/bin/script';
const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `engineconn start` with its output on a pseudo-terminal (util-linux `script`), as a person in a
 * terminal would, and returns what it printed once it is ready; then stops it.
 */
async function startOnTerminal(extra: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-tty-'));
  const command = [process.execPath, BIN, ...startArgs(dir), '--engine', 'shell', ...extra].map(quote).join(' ');
  const child = spawn(SCRIPT, ['-qefc', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ENGINECONN_RUNTIME_DIR: join(dir, 'run') },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  let exitedEarly: { code: unknown } | null = null;
  const exited = new Promise((resolve) => child.on('close', resolve));
  void exited.then((code) => {
    exitedEarly = { code };
  });
  try {
    // Fails at once, with what it printed, if the EngineConn exits before it is ready.
    const { pid } = await readyFileOf<{ pid: number }>(
      readyFileIn(dir),
      () => exitedEarly,
      () => output,
      30_000,
    );
    await waitFor(() => output.includes('status changed'), { what: 'the status log line' });
    process.kill(pid, 'SIGTERM');
    await exited;
    return output;
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

describe('engineconn start log format on a terminal', {
  skip: existsSync(SCRIPT) ? false : `${SCRIPT} is missing`,
}, () => {
  test('prints readable lines by default', async () => {
    const output = await startOnTerminal([]);
    assert.match(output, /\d\d:\d\d:\d\d\.\d{3} INFO {2}EngineConn status changed/, output);
    assert.doesNotMatch(output, /\{"level":/, output);
  });

  test('prints JSON lines with --log-format json', async () => {
    const output = await startOnTerminal(['--log-format', 'json']);
    assert.match(output, /\{"level":30,.*"msg":"EngineConn status changed"/, output);
  });
});
