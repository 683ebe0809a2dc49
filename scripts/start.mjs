// `npm start`: installs what is missing, builds, and runs an EngineConn on the embedded DuckDB engine.
// Extra arguments go to `engineconn start`, e.g. `npm start -- --engine shell --port 7071`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs one step, saying what it does before and how long it took after: a first run takes minutes. */
function step(what, cmd, args) {
  console.error(`engineconn: ${what}…`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`engineconn: ${what} failed (exit ${result.status ?? result.signal}); see the output above.`);
    process.exit(result.status ?? 1);
  }
  console.error(`engineconn: ${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// esbuild too: a checkout from before the build bundled the CLI has everything else.
if (!['@duckdb/node-api', 'esbuild'].every((dep) => existsSync(join(root, 'node_modules', dep)))) {
  // --foreground-scripts shows the native builds (better-sqlite3 compiles for about a minute) as they run.
  step('installing dependencies (first run, a minute or two)', npm, [
    'install',
    '--no-audit',
    '--no-fund',
    '--foreground-scripts',
  ]);
}
step('building (TypeScript, then the CLI bundle)', npm, ['run', '--silent', 'build']);
console.error('engineconn: starting the EngineConn…');

const args = process.argv.slice(2);
const child = spawn(
  process.execPath,
  [join(root, 'packages/server/bin/engineconn.cjs'), 'start', ...(args.length > 0 ? args : ['--engine', 'duckdb'])],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
