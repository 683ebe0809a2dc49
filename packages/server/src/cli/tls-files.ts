import { readFile } from 'node:fs/promises';
import { ConfigInvalidError } from '@engineconn/core';
import type { Logger } from 'pino';
import { isLoopback } from '../http/auth.js';

export interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** The key's path, which the user the EngineConn runs as must not be able to read. */
  keyPath: string;
}

async function readPem(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ConfigInvalidError(`Cannot read ${flag} '${path}': ${(err as Error).message}`);
  }
}

/**
 * `--tls-cert F --tls-key F` (PEM), read at start, before the process gives up root: HTTPS and WSS
 * then. Both or neither.
 */
export async function readTlsFiles(flags: TlsFlags): Promise<TlsFiles | null> {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return null;
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new ConfigInvalidError('Give both --tls-cert and --tls-key (PEM files), or neither.');
  }
  const [cert, key] = await Promise.all([readPem(flags.tlsCert, '--tls-cert'), readPem(flags.tlsKey, '--tls-key')]);
  return { cert, key, keyPath: flags.tlsKey };
}

/**
 * Bearer tokens must not cross a network in clear: binding anything but loopback without TLS needs
 * `--insecure-http` (a TLS-terminating proxy in front, a trusted network), and is warned about.
 */
export function checkPlainHttpBind(host: string, tls: TlsFiles | null, flags: TlsFlags, logger: Logger): void {
  if (tls || isLoopback(host) || host === 'localhost') return;
  if (!flags.insecureHttp) {
    throw new ConfigInvalidError(
      `--host ${host} would serve bearer tokens over plain HTTP beyond this machine: give --tls-cert and --tls-key, or --insecure-http if a TLS proxy or a trusted network is in front.`,
    );
  }
  logger.warn({ host }, '--insecure-http: tokens and task data cross the network unencrypted');
}
