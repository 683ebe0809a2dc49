import { readFile } from 'node:fs/promises';
import { ConfigInvalidError } from '@engineconn/core';

/** Commander collector for repeatable `k=v` flags. */
export function collectKeyValue(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses repeated `k=v` flags into a record; the last value of a key wins. */
export function parseKeyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (key === '') throw new ConfigInvalidError(`${flag} expects key=value; got '${pair}'.`);
    out[key] = pair.slice(at + 1);
  }
  return out;
}

/**
 * `--property k=v` flags as task properties: a value that parses as JSON (a number, true, an
 * object) is that value, anything else the string; `env.NAME=v` sets `env: {NAME: v}`.
 */
export function parseProperties(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(parseKeyValues(pairs, '--property'))) {
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: the plain string (e.g. 30s, /tmp).
    }
    const dot = key.indexOf('.');
    if (dot > 0) {
      const head = key.slice(0, dot);
      const nested = (typeof out[head] === 'object' && out[head] !== null ? out[head] : {}) as Record<string, unknown>;
      nested[key.slice(dot + 1)] = typeof value === 'string' ? value : raw;
      out[head] = nested;
    } else out[key] = value;
  }
  return out;
}

export function parseIntegerFlag(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigInvalidError(`${flag} must be a whole number from ${min} to ${max}; got '${value}'.`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `1048576`, `512kb`, `10MiB`, `1g`. */
export function parseSize(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigInvalidError(`${flag} must be a size like 1048576, 512kb or 10MiB; got '${value}'.`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new ConfigInvalidError(`${flag} must be at least 1 byte; got '${value}'.`);
  return bytes;
}

/**
 * Reads `--config FILE`: a JSON object of options. Nested objects flatten to dotted keys
 * (`{"ec": {"concurrency": 4}}` is `ec.concurrency=4`); numbers and booleans become strings, as if
 * given with `--conf`.
 */
export async function readConfigFile(path: string): Promise<Record<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ConfigInvalidError(`Cannot read the config file '${path}': ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigInvalidError(`The config file '${path}' must hold a JSON object of options.`);
  }
  const out: Record<string, string> = {};
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = String(value);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
    } else {
      throw new ConfigInvalidError(
        `The config file '${path}' sets '${key}' to ${JSON.stringify(value)}; options must be strings, numbers or booleans.`,
      );
    }
  };
  walk(json, '');
  return out;
}
