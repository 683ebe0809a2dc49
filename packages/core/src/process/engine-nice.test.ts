import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EngineCreationContext } from '../context/engine-creation-context.js';
import { ConfigInvalidError } from '../errors/errors.js';
import { DEFAULT_ENGINE_NICE, niceChild, nicedCommand, readEngineNice } from './engine-nice.js';

const MODULE = fileURLToPath(new URL('./engine-nice.js', import.meta.url));

const context = (options: Record<string, string>) =>
  new EngineCreationContext({
    id: 'ec-nice',
    user: 'alice',
    engineType: 'test',
    executor: 'concurrent',
    labels: {},
    options,
    dataDir: '/nonexistent',
  });

/**
 * Runs `body` in a fresh Node process (whose other threads are V8's and, once `fs` was used
 * asynchronously, libuv's pool) and answers what it printed: lowering threads is for a process
 * of its own, not for the test runner's.
 */
function inChild(body: string): unknown {
  const script = `import * as nice from ${JSON.stringify(MODULE)};
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
// The nice value is field 19 of a thread's stat; the fields start after the command's ')'.
const niceOf = (tid) => { const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); };
const threads = () => Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid === String(process.pid) ? 'main' : tid, niceOf(tid)]));
await readFile(${JSON.stringify(MODULE)});
${body}`;
  // A timer that held the process would hang it: the timeout fails the test instead.
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 }),
  );
}

test('ec.engineNice is 10 unless set, and 0-19', () => {
  assert.equal(readEngineNice(context({})), DEFAULT_ENGINE_NICE);
  assert.equal(DEFAULT_ENGINE_NICE, 10);
  assert.equal(readEngineNice(context({ 'ec.engineNice': '0' })), 0);
  assert.equal(readEngineNice(context({ 'ec.engineNice': '19' })), 19);
  for (const bad of ['20', '-1', '2.5', 'low']) {
    assert.throws(() => readEngineNice(context({ 'ec.engineNice': bad })), ConfigInvalidError, bad);
  }
});

test('a sweep lowers every thread but the main one, and only once', () => {
  const out = inChild(`
const before = threads();
const changed = nice.niceEngineThreads(7);
const again = nice.niceEngineThreads(7);
console.log(JSON.stringify({ before, changed, again, after: threads() }));`) as {
    before: Record<string, number>;
    changed: number;
    again: number;
    after: Record<string, number>;
  };
  const base = getPriority();
  const others = Object.keys(out.after).filter((tid) => tid !== 'main');
  // V8's platform threads and libuv's pool at least.
  assert.ok(others.length >= 5, `threads: ${JSON.stringify(out.after)}`);
  assert.ok(Object.values(out.before).every((n) => n === base));
  assert.equal(out.after.main, base);
  for (const tid of others) assert.equal(out.after[tid], Math.min(19, base + 7), `thread ${tid}`);
  assert.equal(out.changed, others.length);
  assert.equal(out.again, 0);
});

test('a sweep leaves a thread already lower, and 0 leaves every thread', () => {
  const out = inChild(`
const { setPriority } = await import('node:os');
const first = Object.keys(threads()).find((tid) => tid !== 'main');
setPriority(Number(first), 19);
const none = nice.niceEngineThreads(0);
nice.niceEngineThreads(4);
console.log(JSON.stringify({ first, none, after: threads() }));`) as {
    first: string;
    none: number;
    after: Record<string, number>;
  };
  assert.equal(out.none, 0);
  assert.equal(out.after[out.first], 19);
  assert.equal(out.after.main, getPriority());
});

test('keepEngineThreadsNiced sweeps at once, its timer does not hold the process, and stopping is idempotent', () => {
  const out = inChild(`
nice.keepEngineThreadsNiced(3, (err) => { throw err; });
const stop = nice.keepEngineThreadsNiced(3, (err) => { throw err; });
stop();
stop();
console.log(JSON.stringify({ after: threads() }));`) as { after: Record<string, number> };
  const others = Object.entries(out.after).filter(([tid]) => tid !== 'main');
  assert.ok(others.length > 0);
  assert.ok(others.every(([, n]) => n === Math.min(19, getPriority() + 3)));
});

test('a niced command runs its program through nice, in the same process; 0 runs it as it is', async () => {
  const [program, niced] = nicedCommand(10, 'bash', ['-c', 'echo hi']);
  assert.match(program, /^\/(usr\/)?bin\/nice$/);
  assert.deepEqual(niced, ['-n', '10', 'bash', '-c', 'echo hi']);
  assert.deepEqual(nicedCommand(0, 'bash', ['-c', 'echo hi']), ['bash', ['-c', 'echo hi']]);
  const [command, args] = nicedCommand(5, 'bash', ['-c', 'echo $$ $(nice)']);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  await once(child, 'close');
  const [pid, value] = out.trim().split(' ').map(Number);
  assert.equal(pid, child.pid);
  assert.equal(value, Math.min(19, getPriority() + 5));
});

test('a child already gone is left: niceChild does not throw', async () => {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  // Exited and reaped: setpriority answers ESRCH, which os.setPriority reports as ERR_SYSTEM_ERROR.
  assert.doesNotThrow(() => niceChild(child.pid as number, 5));
});
