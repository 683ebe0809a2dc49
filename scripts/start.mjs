// `npm start`: installs what is missing, builds, and runs an EngineConn on the embedded DuckDB engine.
// Extra arguments go to `engineconn start`, e.g. `npm start -- --engine shell --port 7071`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// esbuild too: a checkout from before the build bundled the CLI has everything else.
if (!['@duckdb/node-api', 'esbuild'].every((dep) => existsSync(join(root, 'node_modules', dep)))) {
  console.error('engineconn: installing dependencies (first run)…');
  run(npm, ['install', '--no-audit', '--no-fund']);
}
run(npm, ['run', '--silent', 'build']);

const args = process.argv.slice(2);
const child = spawn(
  process.execPath,
  [join(root, 'packages/server/bin/engineconn.js'), 'start', ...(args.length > 0 ? args : ['--engine', 'duckdb'])],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
