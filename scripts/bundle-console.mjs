// Builds the two web consoles into packages/server/dist, where their plugins serve them
// (console-plugin.ts): each console's TypeScript, type-checked by `tsc -b` (project
// packages/server/tsconfig.console.json, DOM types), bundled by esbuild with the SDK's browser-safe
// modules (@engineconn/client/browser) into one ES module script; its page and the shared style
// sheet are copied beside it. `npm run build` runs it after tsc, and scripts/test.mjs before every
// run (it takes a fraction of a second), so no test meets a missing or stale console.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const server = new URL('../packages/server/', import.meta.url).pathname;

/** Each console: its sources under src/, its served files under dist/. */
const CONSOLES = [
  { dir: 'console', script: 'app', files: ['index.html', 'style.css'] },
  { dir: 'manager/console', script: 'manager', files: ['index.html'] },
];

await esbuild.build({
  absWorkingDir: server,
  entryPoints: Object.fromEntries(
    CONSOLES.map(({ dir, script }) => [`${dir}/static/${script}`, join(server, 'src', dir, 'web/main.ts')]),
  ),
  outdir: join(server, 'dist'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Browsers of the last few years; the consoles use nothing newer.
  target: ['es2022'],
  logLevel: 'warning',
});
for (const { dir, files } of CONSOLES) {
  await mkdir(join(server, 'dist', dir, 'static'), { recursive: true });
  for (const file of files) {
    await copyFile(join(server, 'src', dir, 'static', file), join(server, 'dist', dir, 'static', file));
  }
}
