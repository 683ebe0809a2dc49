import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';

/** The URL other processes use to reach a server listening on `host`. */
export function publicUrl(host: string, address: AddressInfo, scheme: 'http' | 'https' = 'http'): string {
  const wildcard = host === '' || host === '0.0.0.0' || host === '::';
  const name = wildcard ? hostname() : host;
  return `${scheme}://${name.includes(':') ? `[${name}]` : name}:${address.port}`;
}
