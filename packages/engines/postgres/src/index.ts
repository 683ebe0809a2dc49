import { postgresEngine } from './postgres-engine.js';

export { PostgresQueryError, parseSettings } from './postgres-executor.js';
export { PostgresSession } from './postgres-session.js';
export { postgresEngine };
export default postgresEngine;
