import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Write = (this: Logger, ...args: unknown[]) => void;

/**
 * A request's logger that becomes a real child of the server's logger (with the request id
 * binding) only when it writes a line. fastify makes a child logger for every request, a pino child
 * costs a few microseconds (its bindings serialised, its prototype chain built), and with request
 * logging off almost no request ever logs. A call at an enabled level writes exactly the line the
 * eager child would; a call at a disabled level is a no-op, as it is on a pino child.
 */
class RequestLogger implements FastifyBaseLogger {
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.parent.level;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.parent.child({ ...this.bindings, ...bindings }, options);
  }

  #write(level: Level, args: unknown[]): void {
    if (!this.parent.isLevelEnabled(level)) return;
    const child = this.parent.child(this.bindings);
    (child[level] as Write).apply(child, args);
  }
}

/**
 * fastify's `childLoggerFactory` for a pino server logger: a RequestLogger, unless the route asks
 * for a level or serializers of its own, which only a real child carries.
 */
export const requestLoggerFactory: ChildLoggerFactory = (logger, bindings, options) =>
  options.level !== undefined || options.serializers !== undefined
    ? logger.child(bindings, options)
    : new RequestLogger(logger as Logger, bindings);
