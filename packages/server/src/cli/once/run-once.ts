import { readdir, readFile, rm } from 'node:fs/promises';
import {
  type Caller,
  EngineConnError,
  EngineConnRuntime,
  startingInfo,
  type TaskInfo,
  type TaskView,
} from '@engineconn/core';
import type { ManagerConnection } from '@engineconn/core/manager';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OnceFlags } from '../commands/once.js';
import { newEngineConnId, resolveEngineContext } from '../engine-context.js';
import { printJsonSets, printResultSets } from '../output/result-printer.js';
import { writeOut } from '../output/write-out.js';
import { viewResultSource } from './view-result-source.js';

const EXIT_SIGNALLED = 130;

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
  // A signal while the EngineConn starts abandons the start-up; once it runs, it kills the job.
  const startup = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(EXIT_SIGNALLED);
    signalled = signal;
    process.stderr.write(`engineconn: ${signal}: stopping the job (send it again to exit now)\n`);
    if (!runtime) startup.abort(new Error(`signal ${signal} received`));
    else if (job && caller) runtime.kill(job.id, caller);
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
    const [{ createLogger }, { loadEngine }, runAsUser] = await Promise.all([
      import('../logger.js'),
      import('../../engines/registry.js'),
      import('../run-as-user.js'),
    ]);
    const port = flags.port ?? null;
    const code = await readCode(flags);
    logger = createLogger(flags.logLevel, { ec: id });
    const runAs = runAsUser.resolveRunAs(flags.user, logger);
    const plugin = await loadEngine(flags.engine);
    const conf = [...(flags.conf ?? [])];
    if (flags.heartbeatInterval !== undefined) conf.push(`ec.heartbeatInterval=${flags.heartbeatInterval}`);
    const resolved = await resolveEngineContext(plugin, { ...flags, conf, executor: 'once' }, { id, allowOnce: true });
    dataDirDefaulted = resolved.dataDirDefaulted;
    await runAsUser.prepareDataDir(resolved.context.dataDir, runAs, dataDirDefaulted);
    const context = resolved.context;
    caller = { user: context.user, admin: false };
    // --manager maps onto this option, so a config file or --conf can set it too.
    const managerUrl = context.optionalString('ec.manager.url');
    // The manager client (and zod, for its report schemas) loads only with a manager, while the engine starts.
    const managerModule = managerUrl ? import('@engineconn/core/manager') : null;

    let ec: EngineConnRuntime;
    try {
      // The port is bound and the TLS key read before the process gives up root (see run-as-user.ts).
      const bound = port === null ? null : await bindServer(flags, port, logger);
      if (runAs) {
        runAsUser.dropPrivileges(runAs);
        if (flags.tlsKey) runAsUser.assertUnreadable([{ path: flags.tlsKey, what: 'The TLS key' }], runAs.name);
      }
      try {
        ec = await EngineConnRuntime.create({ plugin, context, logger }, { signal: startup.signal });
      } catch (err) {
        bound?.early.close();
        throw err;
      }
      runtime = ec;
      if (bound) {
        const served = await serve(ec, bound, logger);
        app = served.app;
        unpublish = await served.announce();
      }
    } catch (err) {
      const previous = runtime?.status ?? 'Starting';
      if (runtime) await runtime.serverFailed(err instanceof Error ? err : new Error(String(err)));
      if (managerUrl && managerModule) {
        const failed = runtime ?? { id, info: () => startingInfo(plugin, context) };
        await (await managerModule).reportStartFailure(failed, err, { url: managerUrl, previous, logger });
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
      await printResults(view, flags.format);
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

/** Reads the TLS files and binds the port, before the process gives up root and the session starts. */
async function bindServer(flags: OnceFlags, port: number, logger: Logger) {
  const [tlsFiles, { listenEarly }] = await Promise.all([import('../tls-files.js'), import('../early-listener.js')]);
  const tls = await tlsFiles.readTlsFiles(flags);
  tlsFiles.checkPlainHttpBind(flags.host, tls, flags, logger);
  return { flags, tls, early: await listenEarly(flags.host, port) };
}

/**
 * Serves the EngineConn's HTTP API while the job runs (bound before the session starts, announced after), so a manager or a person can watch its
 * status, progress, log and results. It is the full app: the once executor itself refuses any
 * second task (EC_BUSY), and the owner may kill the job or shut the EngineConn down. Its owner
 * token (ENGINECONN_TOKEN or generated) is left in the runtime file and printed in the console URL.
 */
async function serve(
  runtime: EngineConnRuntime,
  bound: Awaited<ReturnType<typeof bindServer>>,
  logger: Logger,
): Promise<{ app: FastifyInstance; announce: () => Promise<() => void> }> {
  const [{ buildApp }, { SERVER_PLUGINS }, { publishOwnerToken, takeOwnerToken }, { consoleUrl }] = await Promise.all([
    import('../../http/app.js'),
    import('../../http/server-plugins.js'),
    import('../owner-token.js'),
    import('../console-url.js'),
  ]);
  const { flags, tls, early } = bound;
  const { host } = flags;
  const ownerToken = takeOwnerToken();
  const app = await buildApp({
    runtime,
    auth: null,
    ownerToken,
    guard: { bindHost: host, publicUrls: flags.publicUrl ?? [], allowOrigins: flags.allowOrigin ?? [] },
    https: tls ?? undefined,
    logger,
    plugins: [...SERVER_PLUGINS],
  }).catch((err: unknown) => {
    early.close();
    throw err;
  });
  try {
    await app.ready();
  } catch (err) {
    early.close();
    await app.close();
    throw err;
  }
  early.handOver(app.server);
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${early.address.port}`;
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
      if (lines.length > 0) await writeErr(`${lines.join('\n')}\n`);
    }
  }
}

/** Writes to stderr with back-pressure: a job logging fast waits for the terminal. */
function writeErr(text: string): Promise<void> {
  if (process.stderr.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stderr.once('drain', () => resolve()));
}

/**
 * The job's result sets on stdout through the printers every command uses; with `json`, one
 * document `{id, status, error?, resultSets: [...]}`.
 */
async function printResults(view: TaskView, format: OnceFlags['format']): Promise<void> {
  const source = viewResultSource(view);
  const sets = view.results.list();
  if (format !== 'json') {
    await printResultSets(source, sets, format, { concatenate: true });
    return;
  }
  const info = view.info();
  const head = { id: info.id, status: info.status, ...(info.error ? { error: info.error } : {}) };
  await writeOut(`${JSON.stringify(head).slice(0, -1)},"resultSets":`);
  await printJsonSets(source, sets);
  await writeOut('}\n');
}

/** True when `dir` (or a directory under it) holds a file; false for a tree of empty directories. */
async function holdsAFile(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.some((entry) => !entry.isDirectory());
}
