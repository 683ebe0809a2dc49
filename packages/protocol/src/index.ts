// `@engineconn/protocol`: the EngineConn's wire contract (docs/api.md, docs/manager.md) as zod schemas, with
// the types derived from them, and the registries of `./constants`.

export * from './constants.js';
export {
  type TaskEvent,
  type TaskEventData,
  TaskEventDataSchemas,
  type TaskEventOf,
  TaskEventSchema,
} from './events/task-events.js';
export { API_COMPONENTS, named } from './http/components.js';
export { bodyError, describeIssues, typeError } from './http/field-errors.js';
export * from './http/requests.js';
export * from './http/responses.js';
// The manager's schemas are the './manager' entry (manager.ts); their types are here too, erased.
export type * from './manager/manager-api.js';
export type * from './manager/report-schemas.js';
export * from './ws/ws-messages.js';
