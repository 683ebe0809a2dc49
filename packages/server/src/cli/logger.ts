import { type Level, pino } from 'pino';
import type { LogTail } from './log-tail.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * JSON logs on stderr, so stdout stays for what the command prints (the URL, results). The
 * destination is asynchronous; pino flushes it when the process exits. With a `tail`, the last
 * info-or-worse lines are also kept in memory, even when stderr shows less.
 */
export function createLogger(level: string, bindings: Record<string, string> = {}, tail?: LogTail): pino.Logger {
  const options = { level, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime };
  const stderr = pino.destination({ dest: 2, sync: false });
  if (!tail) return pino(options, stderr);
  const verbose = level === 'trace' || level === 'debug';
  const streams: pino.StreamEntry[] = [{ level: 'info', stream: tail }];
  if (level !== 'silent') streams.push({ level: level as Level, stream: stderr });
  return pino({ ...options, level: verbose ? level : 'info' }, pino.multistream(streams));
}
