// `npm run build`, after tsc: bundles the compiled `engineconn` CLI (packages/server/dist/cli/main.js)
// with core, the client, the built-in engines and their pure-JS dependencies (fastify, pino, zod,
// ws, commander, @duckdb/node-api, …) into packages/server/dist/bundle/. Loading ~450 separate
// modules (resolving, reading and compiling each) was most of an EngineConn's time to ready; a few
// bundle files load in a fraction of it. bin/engineconn.js runs the bundle only while it is newer
// than the compiles and the install it was made from (inputs.json), so a `tsc -b` alone never runs
// stale code.
//
// An engine loaded from a module path (`--engine ./my-engine.js`) imports @engineconn/core from
// node_modules, a second copy beside the bundle's, as a third-party engine with its own dependency
// would anyway. Nothing relies on the two being one: the runtime and the HTTP layer recognise an
// engine's error by its EC_* code (EngineConnError.from), not by its class.
//
// Left outside the bundle, loaded from node_modules as before:
// - native modules (DuckDB's binding, better-sqlite3) and the network engines' clients (pg,
//   trino-client), which gain little and bring optional requires of their own.
// - fastify's schema compilers (ajv, fast-json-stringify) and light-my-request: fastify requires them
//   only when a route declares a JSON schema or inject() is called, which `engineconn` never does.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const server = join(root, 'packages/server');
const outdir = join(server, 'dist/bundle');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('bundle: esbuild is not installed (npm install); engineconn runs unbundled.\n');
  process.exit(0);
}

const FIRST_PARTY = /(?:^|[\\/])packages[\\/](.+?)[\\/]dist[\\/].*\.js$/;

/**
 * First-party modules find files relative to their own compiled location (the console's static
 * files, package.json, Python's driver.py, the SQLite child script): `import.meta.url` in them
 * becomes the URL of the module they came from. Every output file sits directly in `outdir`, so one
 * relative path fits each module wherever esbuild puts it. A package loaded with
 * `createRequire(import.meta.url)('name')` becomes a plain require, which esbuild bundles or, for
 * the externals, leaves to the require() of the banner.
 */
const firstPartyModules = {
  name: 'first-party-modules',
  setup(build) {
    build.onLoad({ filter: FIRST_PARTY }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const url = `new URL(${JSON.stringify(relative(outdir, args.path))}, import.meta.url).href`;
      const contents = source
        .replace(/createRequire\(import\.meta\.url\)\((['"])([^'"./][^'"]*)\1\)/g, 'require($1$2$1)')
        .replaceAll('import.meta.url', url);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { engineconn: join(server, 'dist/cli/main.js') },
  outdir,
  bundle: true,
  // Lazily imported parts (the server for `start`, each engine, prom-client, the OpenAPI document,
  // the client SDK's dependents) stay separate files, loaded only when used, as when unbundled.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Identifiers are kept, so stack traces still name functions; whitespace and syntax minifying
  // shortens what V8 must parse at start.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  external: [
    '@duckdb/node-bindings',
    'better-sqlite3',
    'pg',
    'trino-client',
    '@fastify/ajv-compiler',
    '@fastify/fast-json-stringify-compiler',
    'light-my-request',
  ],
  // CommonJS dependencies call require() (node builtins, the externals above); ESM has none.
  banner: {
    js: "import { createRequire as __ecCreateRequire } from 'node:module'; const require = __ecCreateRequire(import.meta.url);",
  },
  plugins: [firstPartyModules],
  metafile: true,
  logLevel: 'warning',
});

// What the bundle was made from: each bundled package's last compile, and the install.
const compiled = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = FIRST_PARTY.exec(input);
  if (match) compiled.add(join(root, 'packages', match[1], 'tsconfig.tsbuildinfo'));
}
const inputs = [...compiled, join(root, 'node_modules/.package-lock.json')].map((p) => relative(outdir, p)).sort();
await writeFile(join(outdir, 'inputs.json'), `${JSON.stringify({ inputs }, null, 2)}\n`);
