import { removeRuntimeToken, writeRuntimeToken } from '@engineconn/client/runtime-tokens';
import { ConfigInvalidError } from '@engineconn/core';
import type { Logger } from 'pino';
import { generateOwnerToken } from '../http/auth.js';

/**
 * The owner token of an EngineConn without an auth file: `ENGINECONN_TOKEN` when set (a manager
 * launching the EngineConn chooses it), else a fresh random one. The variable is removed from the
 * environment either way, so no task process inherits a token.
 */
export function takeOwnerToken(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.ENGINECONN_TOKEN;
  delete env.ENGINECONN_TOKEN;
  if (given === undefined || given === '') return generateOwnerToken();
  // The token travels as "Authorization: Bearer <token>": one run of visible characters.
  if (!/^[\x21-\x7e]+$/.test(given)) {
    throw new ConfigInvalidError(
      'ENGINECONN_TOKEN must be printable ASCII without spaces (it is sent as a bearer token).',
    );
  }
  return given;
}

/**
 * Leaves the owner token for `url` in this OS user's runtime file (so `engineconn` run by the same
 * user finds it), or, with an auth file (`token` undefined), removes a stale one left there by an
 * earlier EngineConn. Returns what to call at exit; a runtime directory that cannot be written is
 * a warning, never a failed start: the ready file and the printed console URL carry the token too.
 */
export function publishOwnerToken(url: string, token: string | undefined, logger: Logger): () => void {
  try {
    if (token === undefined) {
      removeRuntimeToken(url, undefined);
      return () => {};
    }
    const file = writeRuntimeToken({ url, token, pid: process.pid });
    logger.debug({ file }, 'owner token written to the runtime file');
  } catch (err) {
    logger.warn({ err }, 'cannot write the runtime file; clients must be given the token');
    return () => {};
  }
  return () => {
    try {
      removeRuntimeToken(url, token);
    } catch {
      // Gone already, or the directory went away: nothing points at this EngineConn any more.
    }
  };
}
