// `npm run build`, after tsc: bundles the compiled `engineconn` CLI (packages/server/dist/cli/main.js)
// and its pure-JS dependencies (fastify, pino, zod, ws, commander, …) into packages/server/dist/bundle/.
// Loading ~450 separate modules (resolving, reading and compiling each) was most of an EngineConn's
// time to ready; a few bundle files load in a fraction of it. bin/engineconn.js runs the bundle only
// when it is newer than the last compile, so a `tsc -b` alone never runs stale code.
//
// Left outside the bundle, loaded from node_modules as before:
// - @engineconn/* (core, client, engines, testkit): an engine from a module path imports
//   @engineconn/core itself, and must get the same instance as the server (instanceof checks);
//   the engines also find files beside their own modules (driver.py, the SQLite child).
// - fastify's schema compilers (ajv, fast-json-stringify) and light-my-request: fastify requires them
//   only when a route declares a JSON schema or inject() is called, which `engineconn` never does.
import { readFile, rm } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const server = `${root}packages/server`;
const outdir = `${server}/dist/bundle`;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('bundle: esbuild is not installed (npm install); engineconn runs unbundled.\n');
  process.exit(0);
}

/**
 * The server's modules find files relative to their own compiled location (the console's static
 * files, package.json): `import.meta.url` in them becomes the URL of the module they came from.
 * Every output file sits directly in `outdir`, so one relative path fits each module wherever
 * esbuild puts it.
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/]server[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const url = `new URL(${JSON.stringify(relative(outdir, args.path))}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: { engineconn: `${server}/dist/cli/main.js` },
  outdir,
  bundle: true,
  // Lazily imported parts (the server for `start`, prom-client, the OpenAPI document, the client
  // SDK's dependents) stay separate files, loaded only when used, as in the unbundled build.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Identifiers are kept, so stack traces still name functions; whitespace and syntax minifying
  // shortens what V8 must parse at start.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  external: ['@engineconn/*', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request'],
  // CommonJS dependencies call require() (node builtins, the externals above); ESM has none.
  banner: {
    js: "import { createRequire as __ecCreateRequire } from 'node:module'; const require = __ecCreateRequire(import.meta.url);",
  },
  plugins: [keepModuleUrls],
  logLevel: 'warning',
});
