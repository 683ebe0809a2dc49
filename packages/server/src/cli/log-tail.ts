const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * Keeps the last lines the EngineConn logged, so a start-up failure can be reported to the manager
 * (and printed) with the context that led to it, whatever the console's log level.
 */
export class LogTail {
  readonly #lines: string[] = [];

  constructor(private readonly max = 50) {}

  /** pino's stream interface: one or more newline-terminated JSON lines. */
  write(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      this.#lines.push(line);
      if (this.#lines.length > this.max) this.#lines.shift();
    }
  }

  lines(): string[] {
    return [...this.#lines];
  }

  /** The kept lines a console at `level` did not show (their pino level is lower). */
  below(level: string): string[] {
    const threshold = LEVELS[level] ?? 0;
    return this.#lines.filter((line) => {
      const match = /"level":(\d+)/.exec(line);
      return match !== null && Number(match[1]) < threshold;
    });
  }
}
