import { readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import {
  type Caller,
  EngineConnError,
  EngineConnRuntime,
  parseDuration,
  type ResultSetMeta,
  type TaskInfo,
  type TaskView,
} from '@engineconn/core';
import type { ManagerConnection } from '@engineconn/core/manager';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type EngineContextFlags, newEngineConnId, resolveEngineContext } from '../engine-context.js';
import { collectKeyValue, parseIntegerFlag } from '../options.js';
import type { TlsFlags } from '../tls-files.js';

export interface OnceFlags extends Omit<EngineContextFlags, 'executor' | 'concurrency' | 'maxFreeTime'>, TlsFlags {
  engine: string;
  code?: string;
  file?: string;
  runType?: string;
  format: string;
  timeout?: string;
  port?: string;
  host: string;
  heartbeatInterval?: string;
  logLevel: string;
  allowOrigin?: string[];
  publicUrl?: string[];
}

const FORMATS = ['table', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];
/** Rows read per page when printing, and rows used to size table columns. */
const PAGE = 1000;
const MAX_CELL = 60;
const EXIT_SIGNALLED = 130;

export function registerOnceCommand(program: Command): void {
  program
    .command('once')
    .description('Run one job on a fresh EngineConn (the once executor): logs to stderr, results to stdout, then exit')
    .option('--engine <name>', 'engine: duckdb, shell, python, postgres, sqlite, trino, or a module path', 'duckdb')
    .option('--code <code>', 'the code to run')
    .option('--file <file>', 'read the code from this file')
    .option('--run-type <type>', "the code's language label (default: the engine's first)")
    .option('--format <format>', FORMATS.join(' | '), 'table')
    .option('--timeout <duration>', 'stop the job after this long (exit 1)')
    .option('--port <port>', 'also serve the HTTP API here while the job runs (0 = any free port)')
    .option('--host <host>', 'address to serve on with --port', '127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', "the certificate's PEM private key")
    .option('--insecure-http', 'allow a non-loopback --host without TLS')
    .option(
      '--allow-origin <origin>',
      'with --port: a web origin whose pages may call this EngineConn (repeatable)',
      collectKeyValue,
      [],
    )
    .option(
      '--public-url <url>',
      'with --port: a URL this EngineConn is reached by, e.g. behind a proxy (repeatable)',
      collectKeyValue,
      [],
    )
    .option('--user <user>', 'the EngineConn owner (default: the OS user)')
    .option('--label <k=v>', 'a label (repeatable)', collectKeyValue, [])
    .option('--conf <k=v>', 'an option, e.g. ec.killGrace=5s (repeatable)', collectKeyValue, [])
    .option('--config <file>', 'JSON object of options (below --conf and dedicated flags)')
    .option('--data-dir <dir>', 'where the log and results go (default: a temp dir, removed after a success)')
    .option('--manager <url>', 'manager to report status, heartbeats and the release to')
    .option('--heartbeat-interval <duration>', 'time between heartbeats to the manager (default 30s)')
    .option(
      '--log-level <level>',
      "the EngineConn's own log on stderr: trace | debug | info | warn | error | fatal | silent",
      'warn',
    )
    .action(async (flags: OnceFlags) => {
      process.exitCode = await runOnce(flags);
      process.exit();
    });
}

async function readCode(flags: OnceFlags): Promise<string> {
  if ((flags.code === undefined) === (flags.file === undefined)) {
    throw new EngineConnError('EC_CONFIG_INVALID', 'Give the job as exactly one of --code CODE or --file FILE.');
  }
  if (flags.code !== undefined) return flags.code;
  try {
    return await readFile(flags.file as string, 'utf8');
  } catch (err) {
    throw new EngineConnError('EC_CONFIG_INVALID', `Cannot read --file '${flags.file}': ${(err as Error).message}`);
  }
}

function checkFlags(flags: OnceFlags, logLevels: readonly string[]): { format: Format; port: number | null } {
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new EngineConnError(
      'EC_CONFIG_INVALID',
      `--format must be one of ${FORMATS.join(', ')}; got '${flags.format}'.`,
    );
  }
  if (!logLevels.includes(flags.logLevel)) {
    throw new EngineConnError('EC_CONFIG_INVALID', `--log-level must be one of ${logLevels.join(', ')}.`);
  }
  if (flags.timeout !== undefined) parseDuration(flags.timeout, '--timeout');
  if (flags.heartbeatInterval !== undefined) parseDuration(flags.heartbeatInterval, '--heartbeat-interval');
  const port = flags.port === undefined ? null : parseIntegerFlag(flags.port, '--port', 0, 65535);
  return { format: flags.format as Format, port };
}

/** Writes with back-pressure; a reader that went away (`| head`) ends the output, not the job. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    if (stream.write(text)) {
      resolve();
      return;
    }
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function ignoreClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

/**
 * Runs `engineconn once` to the end and returns the exit code: 0 when the job succeeded, 1 when it
 * failed, timed out or could not start, 130 when SIGINT or SIGTERM stopped it. A signal kills the
 * job first and waits until its work has stopped, then flushes the log, the results produced so far
 * and the manager's release; a second signal exits at once.
 */
export async function runOnce(flags: OnceFlags): Promise<number> {
  const id = newEngineConnId();
  let signalled: NodeJS.Signals | null = null;
  let runtime: EngineConnRuntime | null = null;
  let job: TaskInfo | null = null;
  let caller: Caller | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(EXIT_SIGNALLED);
    signalled = signal;
    process.stderr.write(`engineconn: ${signal}: stopping the job (send it again to exit now)\n`);
    if (runtime && job && caller) runtime.kill(job.id, caller);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', ignoreClosedPipe);

  let logger: Logger | null = null;
  let app: FastifyInstance | null = null;
  let unpublish = (): void => {};
  let manager: ManagerConnection | null = null;
  let dataDirDefaulted = false;
  try {
    // Loaded here, not at the top, so the other commands do not pay for the server's imports.
    const [{ createLogger, LOG_LEVELS }, { loadEngine }, runAsUser] = await Promise.all([
      import('../logger.js'),
      import('../../engines/registry.js'),
      import('../run-as-user.js'),
    ]);
    const { format, port } = checkFlags(flags, LOG_LEVELS);
    const code = await readCode(flags);
    logger = createLogger(flags.logLevel, { ec: id });
    const runAs = runAsUser.resolveRunAs(flags.user, logger);
    const plugin = await loadEngine(flags.engine);
    const conf = [...(flags.conf ?? [])];
    if (flags.heartbeatInterval !== undefined) conf.push(`ec.heartbeatInterval=${flags.heartbeatInterval}`);
    const resolved = await resolveEngineContext(plugin, { ...flags, conf, executor: 'once' }, { id, allowOnce: true });
    dataDirDefaulted = resolved.dataDirDefaulted;
    await runAsUser.prepareDataDir(resolved.context.dataDir, runAs, dataDirDefaulted);
    const ec = new EngineConnRuntime({ plugin, context: resolved.context, logger });
    runtime = ec;
    caller = { user: ec.context.user, admin: false };
    // --manager maps onto this option, so a config file or --conf can set it too.
    const managerUrl = ec.context.optionalString('ec.manager.url');
    // The manager client (and zod, for its report schemas) loads only with a manager, while the engine starts.
    const managerModule = managerUrl ? import('@engineconn/core/manager') : null;

    try {
      // The port is bound and the TLS key read before the process gives up root (see run-as-user.ts).
      const served = port === null ? null : await serve(ec, flags, port, logger);
      app = served?.app ?? null;
      if (runAs) {
        runAsUser.dropPrivileges(runAs);
        if (flags.tlsKey) runAsUser.assertUnreadable([{ path: flags.tlsKey, what: 'The TLS key' }], runAs.name);
      }
      await ec.start();
      if (served) unpublish = await served.announce();
    } catch (err) {
      const previous = ec.status === 'Failed' ? 'Starting' : ec.status;
      if (ec.status !== 'Failed') await ec.serverFailed(err instanceof Error ? err : new Error(String(err)));
      if (managerUrl && managerModule) {
        await (await managerModule).reportStartFailure(ec, err, { url: managerUrl, previous, logger });
      }
      throw err;
    }
    if (managerUrl && managerModule) {
      const { attachManager } = await managerModule;
      manager = attachManager(ec, { url: managerUrl, logger });
    }

    if (signalled) {
      await ec.shutdown(`signal ${signalled} before the job started`);
    } else {
      try {
        job = ec.submit(
          {
            code,
            ...(flags.runType ? { runType: flags.runType } : {}),
            ...(flags.timeout ? { properties: { timeout: flags.timeout } } : {}),
          },
          caller,
        );
      } catch (err) {
        await ec.shutdown(`the job was refused: ${EngineConnError.from(err).message}`);
        throw err;
      }
    }
    if (job) {
      const view = ec.getTask(job.id, caller);
      await streamLogs(view);
      await printResults(view, format);
      const done = view.info();
      job = done;
      const took = done.startedAt && done.finishedAt ? Date.parse(done.finishedAt) - Date.parse(done.startedAt) : 0;
      const error = done.error ? `: ${done.error.message} [${done.error.code}]` : '';
      process.stderr.write(`engineconn: job ${done.id} ${done.status} in ${took} ms${error}\n`);
    }
    const exit = await ec.exited;
    logger.info({ status: exit.status, reason: exit.reason }, 'EngineConn exiting');
    if (signalled) return EXIT_SIGNALLED;
    return job?.status === 'Succeed' ? 0 : 1;
  } catch (err) {
    const error = EngineConnError.from(err);
    process.stderr.write(`engineconn: ${error.message} [${error.code}]\n`);
    return signalled ? EXIT_SIGNALLED : 1;
  } finally {
    if (app) await app.close().catch(() => {});
    unpublish();
    if (manager) await manager.close();
    if (runtime && dataDirDefaulted) {
      // A job that failed keeps what it wrote for a look; a directory with no file in it goes.
      const dir = runtime.context.dataDir;
      if (job?.status === 'Succeed' || !(await holdsAFile(dir))) {
        await rm(dir, { recursive: true, force: true }).catch(() => {});
      }
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', ignoreClosedPipe);
  }
}

/**
 * Serves the EngineConn's HTTP API while the job runs (bound before the session starts, announced after), so a manager or a person can watch its
 * status, progress, log and results. It is the full app: the once executor itself refuses any
 * second task (EC_BUSY), and the owner may kill the job or shut the EngineConn down. Its owner
 * token (ENGINECONN_TOKEN or generated) is left in the runtime file and printed in the console URL.
 */
async function serve(
  runtime: EngineConnRuntime,
  flags: OnceFlags,
  port: number,
  logger: Logger,
): Promise<{ app: FastifyInstance; announce: () => Promise<() => void> }> {
  const [{ buildApp }, { SERVER_PLUGINS }, { publishOwnerToken, takeOwnerToken }, { consoleUrl }, tlsFiles] =
    await Promise.all([
      import('../../http/app.js'),
      import('../../http/server-plugins.js'),
      import('../owner-token.js'),
      import('../console-url.js'),
      import('../tls-files.js'),
    ]);
  const { host } = flags;
  const tls = await tlsFiles.readTlsFiles(flags);
  tlsFiles.checkPlainHttpBind(host, tls, flags, logger);
  const ownerToken = takeOwnerToken();
  const app = await buildApp({
    runtime,
    auth: null,
    ownerToken,
    guard: { bindHost: host, publicUrls: flags.publicUrl ?? [], allowOrigins: flags.allowOrigin ?? [] },
    https: tls ?? undefined,
    logger,
    plugins: [...SERVER_PLUGINS],
  });
  await app.listen({ host, port });
  const { port: bound } = app.server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  // Once the session has started: the URL is handed out, and the token left for the user it runs as.
  const announce = async () => {
    await runtime.serverStarted(url);
    const unpublish = publishOwnerToken(url, ownerToken, logger);
    process.stderr.write(
      `engineconn: EngineConn ${runtime.id} serving on ${url} (console: ${consoleUrl(url, ownerToken)})\n`,
    );
    return unpublish;
  };
  return { app, announce };
}

/** Copies the job's log to stderr as it is written, until the job ends. */
async function streamLogs(view: TaskView): Promise<void> {
  for await (const event of view.journal.follow(0)) {
    if (event.event === 'log') {
      const { lines } = event.data as { lines: string[] };
      if (lines.length > 0) await write(process.stderr, `${lines.join('\n')}\n`);
    }
  }
}

async function printResults(view: TaskView, format: Format): Promise<void> {
  const sets = view.results.list();
  if (format === 'json') {
    await printJson(view, sets);
    return;
  }
  for (const [n, meta] of sets.entries()) {
    if (n > 0) await write(process.stdout, '\n');
    if (meta.type === 'PICTURE') {
      await write(
        process.stdout,
        `[${meta.mimeType ?? 'image'} picture, ${meta.byteCount} bytes: use --format json]\n`,
      );
    } else if (meta.type !== 'TABLE' || format === 'csv') {
      let last = '';
      for await (const chunk of view.results.stream(meta.index, 'csv')) {
        await write(process.stdout, chunk);
        if (chunk) last = chunk;
      }
      if (meta.type !== 'TABLE' && !last.endsWith('\n')) await write(process.stdout, '\n');
    } else {
      await printTable(view, meta);
    }
  }
}

function cell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/[\r\n\t]/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/** Cells of later pages may be wider than the widths taken from the first one. */
function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** A psql-style table; column widths come from the first page, so memory stays bounded. */
async function printTable(view: TaskView, meta: ResultSetMeta): Promise<void> {
  let page = await view.results.readRows(meta.index, 0, PAGE);
  const names = (page.columns.length > 0 ? page.columns : (meta.columns ?? [])).map((c) => cell(c.name));
  const widths = names.map((name, i) => Math.max(name.length, ...page.rows.map((row) => cell(row[i]).length)));
  const line = (values: string[]) => ` ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')}`.trimEnd();
  await write(process.stdout, `${line(names)}\n${widths.map((w) => '-'.repeat(w + 2)).join('+')}\n`);
  let count = 0;
  for (;;) {
    let out = '';
    for (const row of page.rows) out += `${line(names.map((_, i) => fit(cell(row[i]), widths[i] ?? 0)))}\n`;
    await write(process.stdout, out);
    count += page.rows.length;
    if (page.next === null || page.rows.length === 0) break;
    page = await view.results.readRows(meta.index, page.next, PAGE);
  }
  await write(process.stdout, `(${count} row${count === 1 ? '' : 's'})\n`);
}

/** One JSON document `{id, status, error?, resultSets: [...]}`, written row by row. */
async function printJson(view: TaskView, sets: ResultSetMeta[]): Promise<void> {
  const info = view.info();
  const head = { id: info.id, status: info.status, ...(info.error ? { error: info.error } : {}) };
  await write(process.stdout, `${JSON.stringify(head).slice(0, -1)},"resultSets":[`);
  for (const [n, meta] of sets.entries()) {
    const base = { index: meta.index, type: meta.type };
    if (n > 0) await write(process.stdout, ',');
    if (meta.type === 'TABLE') {
      await write(process.stdout, `${JSON.stringify({ ...base, columns: meta.columns ?? [] }).slice(0, -1)},"rows":[`);
      let first = true;
      for (let offset: number | null = 0; offset !== null; ) {
        // The stored rows' own text: parsed and written again, a STRUCT's integer-like keys would move.
        const page = await view.results.readRowsJson(meta.index, offset, PAGE);
        const rows = page.rows.toString('utf8');
        if (rows === '[]') break;
        await write(process.stdout, (first ? '' : ',') + rows.slice(1, -1));
        first = false;
        offset = page.next;
      }
      await write(process.stdout, ']}');
    } else if (meta.type === 'PICTURE') {
      const content = await view.results.readContent(meta.index);
      const body = {
        ...base,
        mimeType: meta.mimeType ?? 'application/octet-stream',
        base64: content.toString('base64'),
      };
      await write(process.stdout, JSON.stringify(body));
    } else {
      // Streamed and escaped chunk by chunk: a text result of any size in bounded memory.
      await write(process.stdout, `${JSON.stringify(base).slice(0, -1)},"text":"`);
      for await (const chunk of view.results.stream(meta.index, 'csv')) {
        await write(process.stdout, JSON.stringify(chunk).slice(1, -1));
      }
      await write(process.stdout, '"}');
    }
  }
  await write(process.stdout, ']}\n');
}

/** True when `dir` (or a directory under it) holds a file; false for a tree of empty directories. */
async function holdsAFile(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.some((entry) => !entry.isDirectory());
}
