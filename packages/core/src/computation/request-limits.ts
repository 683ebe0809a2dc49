import { EngineConnError } from '@engineconn/protocol/constants';
import { BadRequestError } from '../errors/errors.js';
import type { SubmitRequest } from './task-types.js';

/**
 * What a task may carry besides its code. Labels and properties are kept with the task for as long
 * as it is retained (10,000 tasks by default) and sent in every answer about it, so they are bounded
 * here, for every way a task arrives (HTTP, once, the SDK in-process): before, 20 submissions with
 * 9 MB of labels took the EngineConn from 66 to 881 MB.
 */
export const REQUEST_LIMITS = {
  /** Entries in `labels`, and in `properties`. */
  maxEntries: 64,
  /** Length of a label or property key. */
  maxKeyChars: 128,
  /** Length of one label value. */
  maxLabelValueChars: 1024,
  /** `labels` and `properties`, each, as JSON. */
  maxBytes: 64 * 1024,
} as const;

function checkRecord(name: 'labels' | 'properties', record: Readonly<Record<string, unknown>> | undefined): void {
  if (record === undefined) return;
  const keys = Object.keys(record);
  if (keys.length > REQUEST_LIMITS.maxEntries) {
    throw new BadRequestError(
      `'${name}' has ${keys.length} entries; at most ${REQUEST_LIMITS.maxEntries} are allowed.`,
    );
  }
  for (const key of keys) {
    if (key.length > REQUEST_LIMITS.maxKeyChars) {
      throw new BadRequestError(
        `A key of '${name}' is ${key.length} characters long; at most ${REQUEST_LIMITS.maxKeyChars} are allowed.`,
      );
    }
    const value = record[key];
    if (name === 'labels' && typeof value === 'string' && value.length > REQUEST_LIMITS.maxLabelValueChars) {
      throw new BadRequestError(
        `Label '${key}' is ${value.length} characters long; at most ${REQUEST_LIMITS.maxLabelValueChars} are allowed.`,
      );
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(record), 'utf8');
  if (bytes > REQUEST_LIMITS.maxBytes) {
    throw new EngineConnError(
      'EC_PAYLOAD_TOO_LARGE',
      `'${name}' is ${bytes} bytes as JSON; at most ${REQUEST_LIMITS.maxBytes} bytes (64 KiB) are allowed.`,
    );
  }
}

/** Refuses labels or properties past REQUEST_LIMITS: 400 for counts and lengths, 413 for size. */
export function checkRequestLimits(request: SubmitRequest): void {
  checkRecord('labels', request.labels);
  checkRecord('properties', request.properties);
}
