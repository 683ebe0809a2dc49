import { pino } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * JSON logs on stderr, so stdout stays for what the command prints (the URL, results). The
 * destination is asynchronous; pino flushes it when the process exits.
 */
export function createLogger(level: string, bindings: Record<string, string> = {}): pino.Logger {
  return pino(
    { level, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 2, sync: false }),
  );
}
