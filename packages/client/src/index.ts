export type {
  CompletedTask,
  InlineResult,
  JobRequest,
  LockGrant,
  LogPage,
  TaskEvent as TypedTaskEvent,
  TaskRef,
} from '@engineconn/protocol';
export {
  type RuntimeTokenRecord,
  readRuntimeToken,
  removeRuntimeToken,
  runtimeDir,
  runtimeFile,
  runtimeKey,
  writeRuntimeToken,
} from './auth/runtime-tokens.js';
export {
  type CallOptions,
  DEFAULT_SUBMIT_WAIT,
  EngineConnClient,
  type EngineConnClientOptions,
  type EventTransport,
  type SubmitOptions,
} from './engine-conn-client.js';
export { EngineConnClientError } from './errors/engine-conn-client-error.js';
export type { FetchLike } from './http/http-transport.js';
export { ManagerClient, type ManagerClientOptions } from './manager/manager-client.js';
export type { BinaryPage, ResultChunk, ResultPage, TablePage, TextPage } from './results/result-pages.js';
export { backoffDelay, DEFAULT_RETRY, type RetryOptions } from './retry/backoff.js';
export { parseSseStream, type SseMessage, SseParser } from './sse/sse-parser.js';
export { TaskHandle } from './task/task-handle.js';
export { decodeRows, type ValueDecoder, valueDecoder } from './values/decode-values.js';
export { parseType, type TypeNode } from './values/type-syntax.js';
export {
  type EventErrorMessage,
  EventSocket,
  type EventSocketItem,
  type EventSocketOptions,
  SLOW_CONSUMER_CLOSE_CODE,
  type TaskEventMessage,
} from './ws/event-socket.js';
