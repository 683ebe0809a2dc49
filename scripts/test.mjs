// Runs every compiled test file with node:test. Node 20's `--test` finds nothing from a quoted glob
// and then passes with zero tests, so the files are listed here and a run of zero tests fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function findTests(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

// The web consoles are bundled, not compiled by tsc: build them here too, so a run after a bare
// `tsc -b` serves the console of the sources it tests (every served EngineConn loads it at start).
await import('./bundle-console.mjs');

const files = [];
for (const pkg of ['packages']) findTests(join(root, pkg), files);
const selected = files
  .filter((f) => f.includes('/dist/'))
  .filter((f) => filter.length === 0 || filter.some((word) => relative(root, f).includes(word)))
  .sort();
if (selected.length === 0) {
  console.error('No compiled test files found: run `npm run build` first.');
  process.exit(1);
}

// One real Trino for every Trino test file of the run, started beside the other tests (it takes
// a while on a small machine); the test files wait for its ready file. See packages/testkit.
const env = { ...process.env };
let trino;
if (
  selected.some((f) => f.includes('real-trino')) &&
  !env.ENGINECONN_TEST_TRINO_URL &&
  !env.ENGINECONN_TEST_TRINO_READY
) {
  const { trinoToolchain } = await import('../packages/testkit/dist/index.js');
  const toolchain = trinoToolchain();
  if (typeof toolchain === 'string') {
    env.ENGINECONN_TEST_TRINO_SKIP = `no real Trino: ${toolchain}`;
    console.log(`# real-Trino tests skipped: ${toolchain}`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'ec-test-trino-'));
    const ready = join(dir, 'ready.json');
    env.ENGINECONN_TEST_TRINO_READY = ready;
    const starter = spawn(
      process.execPath,
      [join(root, 'packages/testkit/bin/trino.mjs'), 'start', '--ready-file', ready, '--foreground'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    trino = { starter, dir, ready };
  }
}

// A file that hangs (a handle left open, a wait that never ends) fails the run after ten minutes,
// naming itself, instead of holding CI until its own limit: no file takes more than a few minutes
// even on a loaded machine. Node 20's runner applies the timeout to each file as a whole.
const FILE_TIMEOUT_MS = 10 * 60 * 1000;
const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    ...selected,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env },
);
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
/** Stops the run's Trino (the starter stops it on SIGTERM) and removes its ready file. */
async function stopTrino() {
  if (!trino) return;
  if (trino.starter.exitCode === null) {
    const gone = new Promise((resolve) => trino.starter.once('exit', resolve));
    trino.starter.kill('SIGTERM');
    await gone;
  }
  try {
    const { dir } = JSON.parse(readFileSync(trino.ready, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
  } catch {}
  rmSync(trino.dir, { recursive: true, force: true });
}

child.on('close', async (code) => {
  await stopTrino();
  const tests = /ℹ tests (\d+)/.exec(tail);
  if (!tests || Number(tests[1]) === 0) {
    console.error('The test run executed no tests: failing.');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
