// Runs every compiled test file with node:test. Node 20's `--test` finds nothing from a quoted glob
// and then passes with zero tests, so the files are listed here and a run of zero tests fails.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

const child = spawn(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected],
  { stdio: ['ignore', 'pipe', 'inherit'], cwd: root },
);
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const tests = /ℹ tests (\d+)/.exec(tail);
  if (!tests || Number(tests[1]) === 0) {
    console.error('The test run executed no tests: failing.');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
