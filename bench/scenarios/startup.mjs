// Spawn to ready (the ready file written) for the duckdb, shell and python engines, against a Jupyter
// python kernel started with jupyter_client (start_kernel to wait_for_ready), same run. Next to them,
// Node's own start in the same environment (the floor no EngineConn goes below), and, where the
// bench's environment sets NODE_EXTRA_CA_CERTS, the same starts without it: Node parses that bundle
// before any JavaScript runs (about 100 ms on this machine), and the manager launches an EngineConn
// for a user with an environment of its own that does not carry it (engine-launcher.ts).
import { spawn } from 'node:child_process';
import { startEngineConn } from '../lib/engineconn.mjs';
import { runJupyterPeer } from '../lib/jupyter.mjs';
import { median, round } from '../lib/stats.mjs';

async function readyTimes(engine, times, env) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const ec = await startEngineConn(['--engine', engine], { env });
    samples.push(ec.readyMs);
    await ec.stop();
  }
  return samples;
}

/** Spawn to exit of `node -e 0` with the environment an EngineConn gets. */
async function nodeAloneTimes(times, env) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    // NODE_OPTIONS emptied as startEngineConn does: the same Node start an EngineConn's is.
    const child = spawn(process.execPath, ['-e', '0'], {
      stdio: 'ignore',
      env: { ...process.env, NODE_OPTIONS: '', ...env },
    });
    await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    samples.push(performance.now() - started);
  }
  return samples;
}

export default {
  name: 'startup',
  title: 'Startup: process spawn to ready',
  baseline:
    "a Jupyter python3 kernel (Debian python3-ipykernel, jupyter_client KernelManager): start_kernel() to wait_for_ready(), measured inside the launcher, so the launcher's own Python start-up is not counted. The EngineConn figure includes Node's start-up; `node -e 0` is that start alone, in the same environment.",
  async run({ quick, log }) {
    const times = quick ? 2 : 7;
    log(`jupyter kernel x${times}`);
    const jupyter = (await runJupyterPeer('startup', times)).startupMs;
    const rows = [];
    const details = { jupyterMs: jupyter.map((v) => round(v)) };
    const environments = [{ label: '', key: '', env: {} }];
    if (process.env.NODE_EXTRA_CA_CERTS) {
      environments.push({
        label: ', without NODE_EXTRA_CA_CERTS',
        key: 'NoExtraCa',
        env: { NODE_EXTRA_CA_CERTS: undefined },
      });
    }
    for (const { label, key, env } of environments) {
      log(`node -e 0${label} x${times}`);
      const alone = await nodeAloneTimes(times, env);
      details[`node${key}`] = alone.map((v) => round(v));
      rows.push({
        metric: `node -e 0: spawn to exit${label} (median of ${times})`,
        ec: round(median(alone)),
        unit: 'ms',
      });
      for (const engine of ['duckdb', 'shell', 'python']) {
        log(`${engine}${label} x${times}`);
        const samples = await readyTimes(engine, times, env);
        details[`${engine}${key}`] = samples.map((v) => round(v));
        rows.push({
          metric: `${engine}: spawn to ready file${label} (median of ${times})`,
          ec: round(median(samples)),
          baseline: round(median(jupyter)),
          unit: 'ms',
          target: '< 300',
          ok: median(samples) < 300,
        });
      }
    }
    return { rows, details };
  },
};
