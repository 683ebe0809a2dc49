import { sqliteEngine } from './sqlite-engine.js';

export { SqliteSession } from './sqlite-session.js';
export { sqliteEngine };
export default sqliteEngine;
