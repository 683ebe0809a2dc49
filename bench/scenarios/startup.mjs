// Spawn to ready (the ready file written) for the duckdb, shell and python engines, against a Jupyter
// python kernel started with jupyter_client (start_kernel to wait_for_ready), same run.
import { startEngineConn } from '../lib/engineconn.mjs';
import { runJupyterPeer } from '../lib/jupyter.mjs';
import { median, round } from '../lib/stats.mjs';

async function readyTimes(engine, times) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const ec = await startEngineConn(['--engine', engine]);
    samples.push(ec.readyMs);
    await ec.stop();
  }
  return samples;
}

export default {
  name: 'startup',
  title: 'Startup: process spawn to ready',
  baseline:
    "a Jupyter python3 kernel (Debian python3-ipykernel, jupyter_client KernelManager): start_kernel() to wait_for_ready(), measured inside the launcher, so the launcher's own Python start-up is not counted. The EngineConn figure includes Node's start-up.",
  async run({ quick, log }) {
    const times = quick ? 2 : 7;
    log(`jupyter kernel x${times}`);
    const jupyter = (await runJupyterPeer('startup', times)).startupMs;
    const rows = [];
    const details = { jupyterMs: jupyter.map((v) => round(v)) };
    for (const engine of ['duckdb', 'shell', 'python']) {
      log(`${engine} x${times}`);
      const samples = await readyTimes(engine, times);
      details[engine] = samples.map((v) => round(v));
      rows.push({
        metric: `${engine}: spawn to ready file (median of ${times})`,
        ec: round(median(samples)),
        baseline: round(median(jupyter)),
        unit: 'ms',
        target: '< 300',
        ok: median(samples) < 300,
      });
    }
    return { rows, details };
  },
};
