import { EngineConnError } from '@engineconn/protocol/constants';

// One class per code a caller is likely to catch; the rest use EngineConnError with the code directly.

export class BadRequestError extends EngineConnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EC_BAD_REQUEST', message, options);
    this.name = 'BadRequestError';
  }
}

export class BusyError extends EngineConnError {
  constructor(message: string) {
    super('EC_BUSY', message);
    this.name = 'BusyError';
  }
}

export class LockInvalidError extends EngineConnError {
  constructor(message: string) {
    super('EC_LOCK_INVALID', message);
    this.name = 'LockInvalidError';
  }
}

export class TaskNotFoundError extends EngineConnError {
  constructor(id: string) {
    super('EC_TASK_NOT_FOUND', `No task '${id}' is visible to you. List yours with GET /api/v1/tasks.`);
    this.name = 'TaskNotFoundError';
  }
}

export class ShuttingDownError extends EngineConnError {
  constructor() {
    super('EC_SHUTTING_DOWN', 'The EngineConn is shutting down and accepts no new work; start another one.');
    this.name = 'ShuttingDownError';
  }
}

export class EngineError extends EngineConnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EC_ENGINE_ERROR', message, options);
    this.name = 'EngineError';
  }
}

export class ConfigInvalidError extends EngineConnError {
  constructor(message: string) {
    super('EC_CONFIG_INVALID', message);
    this.name = 'ConfigInvalidError';
  }
}

/**
 * A result set no longer holds what was written to it: a stored row that is not valid JSON, or a
 * file shorter than its rows. Rows are stored whole and read only up to what was committed, so
 * something outside the EngineConn changed the file (or the engine handed over malformed rows); the
 * message names the file for the operator.
 */
export class ResultCorruptError extends EngineConnError {
  constructor(set: { readonly index: number; readonly file: string }, what: string, options?: { cause?: unknown }) {
    super(
      'EC_RESULT_CORRUPT',
      `Result set ${set.index} (${set.file}) does not hold the rows written to it: ${what}. Its file was changed or cut short outside the EngineConn (another process, a full or failing disk), or the engine stored malformed rows; run the task again for its result.`,
      options,
    );
    this.name = 'ResultCorruptError';
  }
}

export class IllegalTransitionError extends EngineConnError {
  constructor(machine: string, from: string, to: string) {
    super('EC_ILLEGAL_TRANSITION', `${machine} cannot move from ${from} to ${to}.`);
    this.name = 'IllegalTransitionError';
  }
}

/** What an engine throws once a killed task's work has stopped; `detail` says how it stopped. */
export class TaskCancelledError extends EngineConnError {
  constructor(detail: string) {
    super('EC_TASK_CANCELLED', `The task was killed: ${detail}`);
    this.name = 'TaskCancelledError';
  }
}
