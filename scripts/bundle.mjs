// `npm run build`, after tsc: bundles the compiled `engineconn` CLI (packages/server/dist/cli/main.js)
// with core, the client, the built-in engines and their pure-JS dependencies (fastify, pino, zod,
// ws, commander, @duckdb/node-api, …) into one CommonJS script, packages/server/dist/bundle/
// engineconn.cjs. Loading ~450 separate modules (resolving, reading and compiling each) was most of
// an EngineConn's time to ready. bin/engineconn.cjs runs the script through vm.Script with a V8 code
// cache, which Node 20 offers for scripts but not for ES modules; that is why the bundle is CommonJS
// and one file. The bin uses it only while it is newer than everything listed in manifest.json (the
// bundled packages' compiles and the install), so a `tsc -b` alone never runs stale code.
//
// An engine loaded from a module path (`--engine ./my-engine.js`) imports @engineconn/core from
// node_modules, a second copy beside the bundle's, as a third-party engine with its own dependency
// would anyway. Nothing relies on the two being one: the runtime and the HTTP layer recognise an
// engine's error by its EC_* code (EngineConnError.from), not by its class.
//
// Left outside the bundle, loaded from node_modules as before:
// - native modules (DuckDB's binding, better-sqlite3) and pg, which gain little and bring optional
//   requires of their own.
// - fastify's schema compilers (ajv, fast-json-stringify) and light-my-request: fastify requires them
//   only when a route declares a JSON schema or inject() is called, which `engineconn` never does.
// - undici, which the client loads only to trust a --ca certificate, and the Trino engine (loaded
//   only with --engine trino) sends its protocol requests with.
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const server = join(root, 'packages/server');
const outdir = join(server, 'dist/bundle');
const outfile = join(outdir, 'engineconn.cjs');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('bundle: esbuild is not installed (npm install); engineconn runs unbundled.\n');
  process.exit(0);
}

const FIRST_PARTY = /(?:^|[\\/])packages[\\/](.+?)[\\/]dist[\\/].*\.js$/;
// An import() whose specifier is computed (a module-path engine): it cannot be bundled, and a
// vm.Script cannot run import() at all, so the bin passes in `__ecImport`, its own import().
const COMPUTED_IMPORT = /(?<![.\w$])import\((?!\s*['"`])/g;
// An import() of an external package by name (undici, loaded only for --ca) is left as import() by
// esbuild, which a vm.Script cannot run either: it goes through `__ecImport` too.
const EXTERNAL_IMPORT = /(?<![.\w$])import\((\s*['"])(undici)(['"]\s*)\)/g;

/**
 * First-party modules find files relative to their own compiled location (the console's static
 * files, package.json, Python's driver.py, the SQLite child script): `import.meta.url` in them
 * becomes the URL of the module they came from, relative to the bundle's own URL. A package loaded
 * with `createRequire(import.meta.url)('name')` becomes a plain require, which esbuild bundles or,
 * for the externals, leaves to the script's require().
 */
const firstPartyModules = {
  name: 'first-party-modules',
  setup(build) {
    build.onLoad({ filter: FIRST_PARTY }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const url = `new URL(${JSON.stringify(relative(outdir, args.path))}, __ecBundleUrl).href`;
      const contents = source
        .replace(/createRequire\(import\.meta\.url\)\((['"])([^'"./][^'"]*)\1\)/g, 'require($1$2$1)')
        .replaceAll('import.meta.url', url)
        .replace(COMPUTED_IMPORT, '__ecImport(')
        .replace(EXTERNAL_IMPORT, '__ecImport($1$2$3)');
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * The plugins below that rewrote the dependency file they are for. A file that moved or was renamed
 * (a zod or fastify upgrade) would be bundled unchanged without a word, so the build checks that
 * each plugin found its file.
 */
const rewritten = new Set();

/**
 * zod's index exports its error messages in 63 languages (`z.locales`, 300 KB of a 2.3 MB bundle,
 * each module initialised at load); nothing here calls `z.config()` with one, and zod configures
 * English itself. The bundle keeps English only: about 10 ms of CPU off every start (A/B of
 * `start --engine shell`). The compiled modules, and so `tsc -b` runs and the tests, keep them all.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => {
      rewritten.add(zodEnglishOnly.name);
      return { contents: 'export { default as en } from "./en.js";', loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * fastify requires `node:http2` when it loads, and uses it only to create an HTTP/2 server, which
 * `engineconn` never asks for. Node's HTTP/2 modules cost about 4 ms of CPU at every start, so
 * in the bundle fastify gets them on first use. The build fails if fastify's line changes, rather
 * than bundling it eagerly again unnoticed.
 */
const EAGER_HTTP2 = "const http2 = require('node:http2')";
const lazyHttp2 = {
  name: 'lazy-http2',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]fastify[\\/]lib[\\/]server\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(EAGER_HTTP2)) {
        throw new Error(`bundle: ${args.path} no longer has "${EAGER_HTTP2}"; update the lazy-http2 plugin.`);
      }
      rewritten.add(lazyHttp2.name);
      const lazy =
        "let http2Module; const http2 = new Proxy({}, { get: (_, key) => (http2Module ??= require('node:http2'))[key] })";
      return { contents: source.replace(EAGER_HTTP2, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [join(server, 'dist/cli/main.js')],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Identifiers are kept, so stack traces still name functions; whitespace and syntax minifying
  // shortens what V8 must parse when there is no code cache yet.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  external: [
    '@duckdb/node-bindings',
    'better-sqlite3',
    'pg',
    '@fastify/ajv-compiler',
    '@fastify/fast-json-stringify-compiler',
    'light-my-request',
    // Loaded only by a client given --ca (TLS to an EngineConn with its own certificate) and by the
    // Trino engine.
    'undici',
  ],
  banner: { js: "var __ecBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [firstPartyModules, zodEnglishOnly, lazyHttp2],
  metafile: true,
  logLevel: 'warning',
});

for (const plugin of [zodEnglishOnly, lazyHttp2]) {
  if (!rewritten.has(plugin.name)) {
    throw new Error(`bundle: the ${plugin.name} plugin found no file to rewrite (did its package change?); update it.`);
  }
}
const code = await readFile(outfile, 'utf8');
// bin/engineconn.cjs reads the bundle as latin1, which is exact only for ASCII: esbuild escapes
// everything else by default (its `charset` option), and this keeps it so.
if (/[^\p{ASCII}]/u.test(code)) {
  throw new Error(`bundle: ${outfile} has non-ASCII characters; bin/engineconn.cjs reads it as latin1.`);
}
const leftover = code.match(COMPUTED_IMPORT)?.length ?? 0;
if (leftover > 0 || /(?<![.\w$])import\(\s*['"`]/.test(code)) {
  throw new Error(
    `bundle: ${outfile} still calls import(), which a vm.Script cannot run; route it through __ecImport.`,
  );
}

// What the bundle was made from (each bundled package's last compile, and the install), an id of
// its content, which names its code caches so that a cache never meets another build's code, and
// the commands and built-in engines, which get a code cache each.
const compiled = new Set();
const engines = new Set();
const commands = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = FIRST_PARTY.exec(input);
  if (match) compiled.add(join(root, 'packages', match[1], 'tsconfig.tsbuildinfo'));
  if (match?.[1].startsWith('engines/')) engines.add(match[1].slice('engines/'.length));
  const command = /packages[\\/]server[\\/]dist[\\/]cli[\\/]commands[\\/]([a-z]+)\.js$/.exec(input);
  if (command) commands.add(command[1]);
}
const inputs = [...compiled, join(root, 'node_modules/.package-lock.json')].map((p) => relative(outdir, p)).sort();
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
await writeFile(
  join(outdir, 'manifest.json'),
  `${JSON.stringify({ id, inputs, commands: [...commands].sort(), engines: [...engines].sort() }, null, 2)}\n`,
);
