// `node bench/text-result-rss.mjs [REPO_ROOT]`: the EngineConn's RSS while serving a 150 MB TEXT
// result (a shell task's output): before the reads, then the peak during one read and during four
// parallel reads. Reads use the raw download (`format=raw`) where the server has it, else the old
// whole-text answer. REPO_ROOT (default this checkout) lets the same script measure another build.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'text-rss-'));
const readyFile = join(dir, 'ready.json');
const ec = spawn(
  process.execPath,
  [
    join(root, 'packages/server/bin/engineconn.cjs'),
    'start',
    '--engine',
    'shell',
    '--port',
    '0',
    '--data-dir',
    join(dir, 'data'),
    '--ready-file',
    readyFile,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);

const rssMb = () => {
  const status = readFileSync(`/proc/${ec.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
};

try {
  let ready;
  for (const deadline = Date.now() + 30_000; !ready; ) {
    try {
      ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    } catch {
      if (Date.now() > deadline) throw new Error('the EngineConn did not become ready');
      await delay(50);
    }
  }
  const headers = { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' };
  const api = (path, init = {}) => fetch(`${ready.url}${path}`, { headers, ...init });
  const code = "head -c 157286400 /dev/zero | tr '\\0' 'a'";
  const { id } = await (await api('/api/v1/tasks', { method: 'POST', body: JSON.stringify({ code }) })).json();
  for (;;) {
    const task = await (await api(`/api/v1/tasks/${id}`)).json();
    if (['Succeed', 'Failed', 'Cancelled', 'Timeout'].includes(task.status)) break;
    await delay(100);
  }
  const sets = (await (await api(`/api/v1/tasks/${id}/results`)).json()).resultSets;
  const text = sets.find((s) => s.type === 'TEXT');
  const probe = await api(`/api/v1/tasks/${id}/results/${text.index}?format=raw`);
  const raw = probe.ok;
  await probe.body?.cancel();
  const read = async () => {
    const res = await api(`/api/v1/tasks/${id}/results/${text.index}${raw ? '?format=raw' : ''}`);
    let bytes = 0;
    for await (const chunk of res.body) bytes += chunk.length;
    return bytes;
  };
  const peakDuring = async (work) => {
    let peak = rssMb();
    const timer = setInterval(() => {
      peak = Math.max(peak, rssMb());
    }, 10);
    const bytes = await work();
    clearInterval(timer);
    return { peak, bytes };
  };
  await delay(500);
  const before = rssMb();
  const one = await peakDuring(read);
  const four = await peakDuring(async () => (await Promise.all([read(), read(), read(), read()]))[0]);
  process.stdout.write(
    `${JSON.stringify({ root, textBytes: text.byteCount, served: raw ? 'format=raw' : 'whole {text}', readBytes: one.bytes, rssBeforeMb: before, peakOneReadMb: one.peak, peakFourReadsMb: four.peak })}\n`,
  );
} finally {
  ec.kill('SIGTERM');
  await new Promise((r) => ec.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
