import { type Level, pino } from 'pino';
import type { LogFormat, LogLevel } from './flags/log-flags.js';
import type { LogTail } from './log-tail.js';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields every line carries; the readable form leaves them out. */
const QUIET_FIELDS = new Set(['level', 'time', 'pid', 'msg', 'ec', 'hostname']);

/** One pino JSON line as `12:00:01.234 INFO  message key=value …` for a person at a terminal. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !QUIET_FIELDS.has(key))
    .map(([key, value]) => {
      if (key === 'err' && typeof value === 'object' && value !== null) {
        const err = value as { message?: string; stack?: string };
        return `\n  ${err.stack ?? err.message ?? JSON.stringify(value)}`;
      }
      return ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    })
    .join('');
  return `${time} ${level} ${String(entry.msg ?? '')}${fields}\n`;
}

/** A pino destination writing readable lines to stderr. */
class PrettyStderr {
  write(chunk: string): boolean {
    let out = '';
    for (const line of chunk.split('\n')) if (line) out += prettyLine(line);
    return process.stderr.write(out);
  }
}

/**
 * Logs on stderr, so stdout stays for what the command prints (the URL, results): JSON, or with
 * `pretty` (and `auto` on a terminal) readable lines. The JSON destination is asynchronous; pino
 * flushes it when the process exits. With a `tail`, the last info-or-worse lines are also kept in
 * memory, even when stderr shows less.
 */
export function createLogger(
  level: LogLevel,
  bindings: Record<string, string> = {},
  tail?: LogTail,
  format: LogFormat = 'json',
): pino.Logger {
  const options = { level, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime };
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  const stderr = pretty
    ? (new PrettyStderr() as unknown as pino.DestinationStream)
    : pino.destination({ dest: 2, sync: false });
  if (!tail) return pino(options, stderr);
  const verbose = level === 'trace' || level === 'debug';
  const streams: pino.StreamEntry[] = [{ level: 'info', stream: tail }];
  if (level !== 'silent') streams.push({ level: level as Level, stream: stderr });
  return pino({ ...options, level: verbose ? level : 'info' }, pino.multistream(streams));
}
