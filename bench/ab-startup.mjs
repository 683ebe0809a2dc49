// A/B of start-up: EngineConns started alternately from different bins (and environments) in the
// same minutes, spawn to ready file, as the startup scenario measures it. Prints each start and,
// per variant, the median and minimum of spawn to ready and the CPU the process (and its main
// thread) had used when the ready file appeared: run time, steadier than wall time on a loaded
// machine, and on two cores the main thread's is what spawn to ready follows.
// NODE_EXTRA_CA_CERTS is left out unless `--extra-ca` (the manager launches EngineConns without
// it: bench/scenarios/startup.mjs).
//
//   node bench/ab-startup.mjs [--engine duckdb] [--rounds 9] [--extra-ca] NAME=[ENV[,ENV…]][@BIN] …
//   e.g. node bench/ab-startup.mjs base=@../base-checkout/packages/server/bin/engineconn.cjs new=

import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startEngineConn } from './lib/engineconn.mjs';
import { median, round } from './lib/stats.mjs';
import { parseVariants } from './lib/variants.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    engine: { type: 'string', default: 'duckdb' },
    rounds: { type: 'string', default: '9' },
    'extra-ca': { type: 'boolean', default: false },
  },
});

/**
 * CPU ms of the process's threads so far and of its main thread, from schedstat (nanoseconds, where
 * stat has ticks of 10 ms). A thread that ended meanwhile counts nothing.
 */
function cpuOf(pid) {
  const ns = (path) => {
    try {
      return Number(readFileSync(path, 'utf8').split(' ')[0]);
    } catch {
      return 0;
    }
  };
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) total += ns(`/proc/${pid}/task/${tid}/schedstat`);
  return { total: total / 1e6, main: ns(`/proc/${pid}/task/${pid}/schedstat`) / 1e6 };
}

const variants = parseVariants(positionals).map((v) => {
  if (!values['extra-ca']) v.env.NODE_EXTRA_CA_CERTS = undefined;
  return { ...v, ready: [], cpu: [], main: [] };
});
if (variants.length === 0) throw new Error('name at least one variant: NAME=[ENV,…][@BIN]');

// One start first, unmeasured, per variant: the first start after a build writes the code cache.
for (const v of variants) await (await startEngineConn(['--engine', values.engine], v)).stop();

for (let round_ = 1; round_ <= Number(values.rounds); round_++) {
  for (const v of variants) {
    const ec = await startEngineConn(['--engine', values.engine], v);
    const cpu = cpuOf(ec.pid);
    await ec.stop();
    v.ready.push(ec.readyMs);
    v.cpu.push(cpu.total);
    v.main.push(cpu.main);
    console.log(
      `r${round_} ${v.name}: ready ${round(ec.readyMs, 1)} ms, cpu ${round(cpu.total, 1)} ms ` +
        `(main thread ${round(cpu.main, 1)}), load ${loadavg()[0].toFixed(1)}`,
    );
  }
}
for (const v of variants) {
  console.log(
    `${v.name}: ready median ${round(median(v.ready), 1)} (min ${round(Math.min(...v.ready), 1)}) ms, ` +
      `cpu median ${round(median(v.cpu), 1)} (min ${round(Math.min(...v.cpu), 1)}) ms, ` +
      `main thread median ${round(median(v.main), 1)} ms`,
  );
}
