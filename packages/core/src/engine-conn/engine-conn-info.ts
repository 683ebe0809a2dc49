export type { EngineConnInfo, OverloadInfo } from '@engineconn/protocol';

/** How the EngineConn ended; the process exits with `exitCode`. */
export interface RuntimeExit {
  status: 'Success' | 'Failed';
  reason: string;
  exitCode: number;
}
