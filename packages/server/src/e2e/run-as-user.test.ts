import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { lookupOsUser } from '../manager/launcher/os-users.js';
import {
  runEngineConn,
  type SpawnedEngineConn,
  spawnerForSuite,
  TEST_ENGINE,
  taskFinished,
} from './spawn-engineconn.js';
import { AS_ROOT, ensureOsUser, processUser } from './spawn-manager.js';

const ALICE = 'ec-sec-alice';
const BOB = 'ec-sec-bob';
const skip = AS_ROOT ? false : 'needs root, to create OS users and start EngineConns as them';

interface Answer {
  status: number;
  body: { id: string; status: string; error?: { code: string; message: string }; results?: { text?: string }[] };
}

/** The pids of every live descendant of `pid` (Linux /proc). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid)!.push(Number(entry));
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

describe('an EngineConn started as root with --user runs as that user (end to end)', { skip }, () => {
  const spawn = spawnerForSuite();
  let authFile: string;
  let holder: SpawnedEngineConn;
  before(async () => {
    ensureOsUser(ALICE);
    ensureOsUser(BOB);
    // An EngineConn of the test engine only to own a directory for the auth file.
    holder = await spawn(['--engine', TEST_ENGINE]);
    authFile = join(holder.dir, 'auth.json');
    await writeFile(
      authFile,
      JSON.stringify({
        tokens: [
          { token: 'alice-secret', user: ALICE },
          { token: 'bob-secret', user: BOB },
        ],
      }),
      { mode: 0o600 },
    );
  });
  const start = (engine: string, extra: string[] = []) =>
    spawn(['--engine', engine, '--user', ALICE, '--auth-file', authFile, '--max-free-time', '0', ...extra], {
      timeoutMs: 20_000,
    });
  const run = async (ec: SpawnedEngineConn, code: string, token = 'alice-secret'): Promise<Answer> =>
    ec.api('POST', '/api/v1/tasks?wait=20s', { code }, token) as Promise<Answer>;
  /** What the task printed: its TEXT results, else its log. */
  const output = async (ec: SpawnedEngineConn, answer: Answer) => {
    const text = answer.body.results?.map((r) => r.text ?? '').join('') ?? '';
    if (text) return text;
    const logs = await ec.api<{ lines: string[] }>(
      'GET',
      `/api/v1/tasks/${answer.body.id}/logs`,
      undefined,
      'alice-secret',
    );
    return logs.body.lines.join('\n');
  };

  test('python: the interpreter is the user, cannot read the auth file, and bob cannot submit', async () => {
    const ec = await start('python');
    const alice = lookupOsUser(ALICE);
    assert.ok(alice);
    assert.equal(await processUser(ec.pid), ALICE, 'the EngineConn process itself');
    const who = await run(ec, 'import os\nprint(os.getuid(), os.getgid(), os.environ["HOME"])');
    assert.equal(who.body.status, 'Succeed', JSON.stringify(who.body));
    assert.equal((await output(ec, who)).trim(), `${alice.uid} ${alice.gid} ${alice.home}`);
    for (const child of await descendants(ec.pid)) assert.equal(await processUser(child), ALICE, `pid ${child}`);

    const peek = await run(ec, `print(open(${JSON.stringify(authFile)}).read())`);
    assert.equal(peek.body.status, 'Failed');
    assert.match(peek.body.error?.message ?? '', /PermissionError/);
    const shadow = await run(ec, "print(open('/etc/shadow').read())");
    assert.equal(shadow.body.status, 'Failed');

    const bob = await run(ec, 'print(1)', 'bob-secret');
    assert.equal(bob.status, 403);
    assert.equal(bob.body.error?.code, 'EC_FORBIDDEN');
    assert.match(bob.body.error?.message ?? '', new RegExp(`belongs to '${ALICE}'`));
    assert.equal((await ec.api('GET', '/api/v1/engineconn', undefined, 'alice-secret')).status, 200);

    // The ready file (root's, 0600) and the data dir (the user's, 0700) were written all the same.
    assert.equal((await stat(ec.readyFile)).uid, 0);
    assert.equal((await stat(ec.readyFile)).mode & 0o777, 0o600);
    const data = await stat(join(ec.dir, 'data'));
    assert.deepEqual([data.uid, data.mode & 0o777], [alice.uid, 0o700]);
  });

  test('shell: id -un is the user; no task can read the auth file', async () => {
    const ec = await start('shell');
    const who = await run(ec, 'id -un');
    assert.equal((await output(ec, who)).trim(), ALICE);
    const peek = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: `cat ${authFile}` }, 'alice-secret');
    assert.equal((await taskFinished(ec, peek.body.id, 'alice-secret', 20_000)).status, 'Failed');
    const logs = await ec.api<{ lines: string[] }>(
      'GET',
      `/api/v1/tasks/${peek.body.id}/logs`,
      undefined,
      'alice-secret',
    );
    assert.match(logs.body.lines.join('\n'), /Permission denied/);
  });

  test("duckdb: file access is the user's: COPY … TO '/root/x' and reading the auth file are denied", async () => {
    const ec = await start('duckdb');
    const copy = await run(ec, "copy (select 42 as x) to '/root/ec-sec-x.csv'");
    assert.equal(copy.body.status, 'Failed');
    assert.match(copy.body.error?.message ?? '', /Permission denied|cannot open/i);
    const read = await run(ec, `select content from read_text('${authFile}')`);
    assert.equal(read.body.status, 'Failed');
    assert.doesNotMatch(JSON.stringify(read.body), /alice-secret/);
    // Their own files are theirs to use (external access is on for one user's EngineConn).
    const home = lookupOsUser(ALICE)?.home;
    const own = await run(ec, `copy (select 42 as x) to '${home}/ec-sec-own.csv'`);
    assert.equal(own.body.status, 'Succeed', JSON.stringify(own.body));
  });

  test('sqlite: the database process is the user', async () => {
    const ec = await start('sqlite');
    const ok = await run(ec, 'select 1 as one');
    assert.equal(ok.body.status, 'Succeed', JSON.stringify(ok.body));
    const children = await descendants(ec.pid);
    assert.ok(children.length > 0, 'the sqlite child runs');
    for (const child of children) assert.equal(await processUser(child), ALICE, `pid ${child}`);
  });

  test('without an auth file the owner token goes to the user’s runtime file', async () => {
    const ec = await spawn(['--engine', TEST_ENGINE, '--user', BOB]);
    const bob = lookupOsUser(BOB);
    assert.ok(bob && ec.token);
    const dir = join(bob.home, '.engineconn', 'run');
    const files = await readdir(dir);
    const mine = [];
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8').catch(() => '');
      if (text.includes(ec.token)) mine.push(file);
    }
    assert.equal(mine.length, 1);
    assert.equal((await stat(join(dir, mine[0]!))).uid, bob.uid);
  });

  test('engineconn once runs its job as the user too, also while serving its API', async () => {
    const result = await runEngineConn(
      ['once', '--engine', 'shell', '--user', ALICE, '--port', '0', '--code', `id -un; cat ${authFile} || echo denied`],
      20_000,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${ALICE}\ndenied\n`);
    assert.match(result.stderr, /serving on http:\/\/127\.0\.0\.1:\d+ \(console: /);
    const unknown = await runEngineConn(['once', '--engine', 'shell', '--user', 'no-such-ec-user', '--code', 'id']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--user 'no-such-ec-user' is not an OS user.*\[EC_CONFIG_INVALID\]/);
  });

  test('an --user that is not an OS user fails the start with EC_CONFIG_INVALID naming it', async () => {
    const result = await runEngineConn(['start', '--engine', TEST_ENGINE, '--port', '0', '--user', 'no-such-ec-user']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--user 'no-such-ec-user' is not an OS user.*\[EC_CONFIG_INVALID\]/);
  });

  test('an auth file the user could read fails the start, naming it', async () => {
    const open = join(holder.dir, 'open-auth.json');
    await writeFile(open, await readFile(authFile, 'utf8'));
    await chmod(open, 0o644);
    const result = await runEngineConn([
      'start',
      '--engine',
      TEST_ENGINE,
      '--port',
      '0',
      '--user',
      ALICE,
      '--auth-file',
      open,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /The auth file '.*open-auth\.json' is readable by the user 'ec-sec-alice'.*\[EC_CONFIG_INVALID\]/,
    );
  });

  test('as root without --user it warns once that tasks run as root', async () => {
    const ec = await spawn(['--engine', TEST_ENGINE]);
    const warnings = ec
      .stderr()
      .split('\n')
      .filter((line) => line.includes('running as root without --user'));
    assert.equal(warnings.length, 1, ec.stderr());
  });
});
