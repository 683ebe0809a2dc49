// `1+1` through the python engine (one request: submit with `?wait=`, the result inline) against the
// same code sent to a Jupyter python kernel (execute request to status idle, with the result), same run.
import { submitAndWait } from '../lib/client.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { runJupyterPeer } from '../lib/jupyter.mjs';
import { median, percentile, round } from '../lib/stats.mjs';

/** One request: submit with `?wait=`, the answer holds the ended task and its result inline. */
async function roundTrip(base) {
  const task = await submitAndWait(base, '1+1');
  if (task.status !== 'Succeed') throw new Error(`1+1 ended ${task.status}`);
  if (task.results[0]?.text !== '2') throw new Error(`1+1 answered ${JSON.stringify(task.results)}`);
}

export default {
  name: 'python',
  title: 'Python round trip: `1+1`',
  baseline:
    'a Jupyter python3 kernel driven by jupyter_client in its own process: execute_request to the idle status, execute_result read (same machine, ZeroMQ over loopback).',
  async run({ quick, log }) {
    const times = quick ? 50 : 300;
    // Alternating rounds, so both sides meet the same load on a shared machine.
    const rounds = quick ? 1 : 3;
    const per = Math.ceil(times / rounds);
    const jupyter = [];
    const samples = [];
    const ec = await startEngineConn(['--engine', 'python']);
    try {
      for (let i = 0; i < 20; i++) await roundTrip(ec.url);
      for (let round = 0; round < rounds; round++) {
        log(`round ${round + 1}/${rounds}: jupyter x${per}, python engine x${per}`);
        jupyter.push(...(await runJupyterPeer('roundtrip', per)).roundTripMs);
        for (let i = 0; i < per; i++) {
          const t0 = performance.now();
          await roundTrip(ec.url);
          samples.push(performance.now() - t0);
        }
      }
    } finally {
      await ec.stop();
    }
    return {
      rows: [
        {
          metric: `1+1 round trip, median of ${samples.length}`,
          ec: round(median(samples)),
          baseline: round(median(jupyter)),
          unit: 'ms',
          target: '<= 0.5x Jupyter',
          ok: median(samples) <= median(jupyter) / 2,
        },
        {
          metric: '1+1 round trip, p99',
          ec: round(percentile(samples, 0.99)),
          baseline: round(percentile(jupyter, 0.99)),
          unit: 'ms',
        },
      ],
      details: { ecMs: samples.map((v) => round(v)), jupyterMs: jupyter.map((v) => round(v)) },
    };
  },
};
