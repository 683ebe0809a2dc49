import { trinoEngine } from './trino-engine.js';

export { TrinoQueryError } from './trino-executor.js';
export { TrinoSession } from './trino-session.js';
export { trinoEngine };
export default trinoEngine;
