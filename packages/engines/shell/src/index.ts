import { shellEngine } from './shell-engine.js';

export { DEFAULT_MAX_OUTPUT_BYTES, type ShellSession } from './shell-session.js';
export { TASK_COOKIE_ENV } from './shell-task.js';
export { shellEngine };
export default shellEngine;
