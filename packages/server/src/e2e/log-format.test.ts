import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { BIN } from './spawn-engineconn.js';

const SCRIPT = '/usr/bin/script';
const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `engineconn start` with its output on a pseudo-terminal (util-linux `script`), as a person in a
 * terminal would, and returns what it printed once it is ready; then stops it.
 */
async function startOnTerminal(extra: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-tty-'));
  const readyFile = join(dir, 'ready.json');
  const command = [
    process.execPath,
    BIN,
    'start',
    '--engine',
    'shell',
    '--port',
    '0',
    '--ready-file',
    readyFile,
    '--data-dir',
    join(dir, 'data'),
    ...extra,
  ]
    .map(quote)
    .join(' ');
  const child = spawn(SCRIPT, ['-qefc', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ENGINECONN_RUNTIME_DIR: join(dir, 'run') },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  try {
    let pid = 0;
    await waitFor(
      async () => {
        try {
          pid = (JSON.parse(await readFile(readyFile, 'utf8')) as { pid: number }).pid;
          return pid > 0;
        } catch {
          return false;
        }
      },
      { what: 'the EngineConn on a terminal to be ready' },
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
