import { ConfigInvalidError } from '../errors/errors.js';
import type { ExecutorKind } from '../plugin/engine-plugin.js';
import { type DurationOptions, parseDuration } from '../util/duration.js';

export interface EngineCreationContextInit {
  id: string;
  user: string;
  engineType: string;
  executor: ExecutorKind;
  labels: Record<string, string>;
  options: Record<string, string>;
  dataDir: string;
}

/**
 * Everything the EngineConn is started with (Linkis' EngineCreationContext): who it runs for, its
 * labels, and the merged options (engine defaults < config file < `--conf k=v`). The typed getters
 * reject a bad value with EC_CONFIG_INVALID naming the key, so a typo fails at start, not mid-task.
 */
export class EngineCreationContext {
  readonly id: string;
  readonly user: string;
  readonly engineType: string;
  readonly executor: ExecutorKind;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly dataDir: string;
  readonly createdAt = Date.now();

  constructor(init: EngineCreationContextInit) {
    this.id = init.id;
    this.user = init.user;
    this.engineType = init.engineType;
    this.executor = init.executor;
    this.labels = Object.freeze({ ...init.labels });
    this.options = Object.freeze({ ...init.options });
    this.dataDir = init.dataDir;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.options, key);
  }

  string(key: string, fallback?: string): string {
    const value = this.options[key] ?? fallback;
    if (value === undefined) throw new ConfigInvalidError(`Option '${key}' is required: pass --conf ${key}=...`);
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.options[key];
  }

  number(key: string, fallback: number, min = Number.NEGATIVE_INFINITY): number {
    const raw = this.options[key];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) {
      throw new ConfigInvalidError(
        `Option '${key}' must be a number${min > -Infinity ? ` >= ${min}` : ''}; got '${raw}'.`,
      );
    }
    return value;
  }

  integer(key: string, fallback: number, min = 0): number {
    const value = this.number(key, fallback, min);
    if (!Number.isInteger(value))
      throw new ConfigInvalidError(`Option '${key}' must be a whole number; got '${value}'.`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.options[key];
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw new ConfigInvalidError(`Option '${key}' must be true or false; got '${raw}'.`);
  }

  /** A duration option, at most MAX_DURATION_MS unless `opts.max` says less. */
  duration(key: string, fallback: number, opts: Omit<DurationOptions, 'request'> = {}): number {
    const raw = this.options[key];
    return raw === undefined ? fallback : parseDuration(raw, `Option '${key}'`, opts);
  }
}
