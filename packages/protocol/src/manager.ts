// `@engineconn/protocol/manager`: the manager's HTTP API and the reports an EngineConn sends it, as zod
// schemas. An entry of its own so that an EngineConn builds these schemas only when it has a manager
// (`@engineconn/core/manager`), not on every start; the main entry re-exports their types only.

export * from './manager/manager-api.js';
export * from './manager/report-schemas.js';
