// One-request tasks driven by wrk (a C HTTP load generator, `apt install wrk`) when it is installed.
// On a small machine the load generator shares the cores with the EngineConn it measures: the bench's
// node:http clients cost about 250 µs of CPU per request, wrk a small fraction of that, so wrk's
// figures show more of what the EngineConn itself can do.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_TOKEN } from './client.mjs';

export const wrkInstalled = () => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

// Every answer is checked as the node:http flow checks it: 200 and the task succeeded. The threads
// count their bad answers in their own Lua states; done() gathers them.
const script = (path, body) => `
wrk.method = "POST"
wrk.path = ${JSON.stringify(path)}
wrk.body = ${JSON.stringify(body)}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${BENCH_TOKEN}"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"status":"Succeed"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("BAD %d\\n", total))
end
`;

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };
const durationMs = (text) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
};

/**
 * Runs `POST /api/v1/tasks?wait=10s` with `code` from `connections` keep-alive connections for
 * `seconds`: tasks, tasks/s, latency p50/p99, failed answers, and wrk's own CPU per task (µs).
 */
export async function wrkOneRequest(base, code, { connections, seconds }) {
  const dir = await mkdtemp(join(tmpdir(), 'ec-bench-wrk-'));
  try {
    const file = join(dir, 'one-request.lua');
    await writeFile(file, script('/api/v1/tasks?wait=10s', JSON.stringify({ code })));
    // The shell prints its own stat once wrk has exited and been waited for: its children's CPU
    // (cutime, cstime) is then wrk's.
    const args = ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', file, base];
    const child = spawn('sh', ['-c', 'wrk "$@" && cat /proc/$$/stat', 'sh', ...args]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    const code_ = await new Promise((resolve) => child.once('exit', resolve));
    if (code_ !== 0) throw new Error(`wrk exited ${code_}: ${err}${out}`);
    const tasks = Number(/(\d+) requests in/.exec(out)?.[1]);
    const perSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p50 = durationMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
    const p99 = durationMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
    const bad = Number(/^BAD (\d+)/m.exec(out)?.[1]);
    const socketErrors = /Socket errors: (.*)/.exec(out)?.[1] ?? null;
    const stat = out.trim().split('\n').at(-1) ?? '';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are stat's fields 16 and 17, in ticks of 1/100 s.
    const wrkCpuMs = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
    if (!(tasks > 0)) throw new Error(`wrk answered no requests: ${out}`);
    return {
      tasks,
      perSecond: Math.round(perSecond),
      p50Ms: p50,
      p99Ms: p99,
      // `connect N, read N, write N, timeout N`: a timed-out request never reaches response().
      errors: bad + (socketErrors?.match(/\d+/g) ?? []).reduce((sum, n) => sum + Number(n), 0),
      socketErrors,
      clientCpuPerTaskUs: Math.round((wrkCpuMs * 1000) / tasks),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
