// One task printing 1,000,000 lines, every line delivered in order over SSE while it runs: lines/s
// and the EngineConn's memory, against the same command's output read directly from its pipe.
import { spawn } from 'node:child_process';
import { followEvents, submit } from '../lib/client.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { mib, round } from '../lib/stats.mjs';

/** Follows the task's events, checking that log lines arrive whole, in order, each once. */
async function deliverAll(base, code, lines) {
  const started = performance.now();
  const { id } = await submit(base, code);
  let next = 0;
  let expected = 1;
  let disorder = 0;
  const done = await followEvents(base, id, (e) => {
    if (e.event !== 'log') return;
    if (e.data.from !== next) disorder++;
    next = e.data.from + e.data.lines.length;
    for (const line of e.data.lines) {
      if (line === String(expected)) expected++;
      else if (!line.startsWith('[engineconn]')) disorder++;
    }
  });
  const ms = performance.now() - started;
  return { ms, status: done.status, delivered: expected - 1, inOrder: disorder === 0 && expected - 1 === lines };
}

/** The baseline: the same command, its stderr split into lines in this process. */
function direct(count) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', `seq 1 ${count} >&2`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let rest = '';
    let lines = 0;
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop();
      lines += parts.length;
    });
    child.once('error', reject);
    child.once('close', () => resolve({ ms: performance.now() - started, lines }));
  });
}

export default {
  name: 'logs',
  title: 'Logs: one task printing 1,000,000 lines, followed over SSE',
  baseline: 'the same `seq 1 N >&2` spawned by the bench, its stderr read and split into lines in-process.',
  async run({ quick, log }) {
    const count = quick ? 200_000 : 1_000_000;
    const code = `seq 1 ${count} >&2`;
    log(`shell: ${code}`);
    const ec = await startEngineConn(['--engine', 'shell']);
    let viaEc;
    try {
      viaEc = await deliverAll(ec.url, code, count);
      viaEc.peakRss = ec.peakRss();
    } finally {
      await ec.stop();
    }
    const baseline = await direct(count);
    const rate = (lines, ms) => round((lines / ms) * 1000, 0);
    return {
      rows: [
        {
          metric: `${count} lines delivered in order over SSE`,
          ec: viaEc.delivered,
          baseline: baseline.lines,
          unit: 'lines',
          target: 'all, in order',
          ok: viaEc.inOrder && viaEc.status === 'Succeed',
        },
        { metric: 'submit to done, all lines received', ec: round(viaEc.ms), baseline: round(baseline.ms), unit: 'ms' },
        {
          metric: 'lines per second',
          ec: rate(viaEc.delivered, viaEc.ms),
          baseline: rate(baseline.lines, baseline.ms),
          unit: 'lines/s',
        },
        { metric: 'EC peak RSS', ec: mib(viaEc.peakRss), unit: 'MiB' },
      ],
      details: { count, ec: { ...viaEc, ms: round(viaEc.ms) }, direct: { ...baseline, ms: round(baseline.ms) } },
    };
  },
};
