import { pythonEngine } from './python-engine.js';

export { DRIVER_PATH } from './interpreter.js';
export { type PythonOptions, PythonSession } from './python-session.js';
export { pythonEngine };
export default pythonEngine;
