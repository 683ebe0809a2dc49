export type {
  Column,
  ProgressInfo,
  ResultSetMeta,
  ResultSetType,
  SubmitRequest,
  TaskInfo,
} from '@engineconn/protocol';
export { RESULT_SET_TYPES } from '@engineconn/protocol/constants';

/** Who is asking: resolved by the server from the bearer token (or the EC owner on loopback). */
export interface Caller {
  user: string;
  admin: boolean;
}
