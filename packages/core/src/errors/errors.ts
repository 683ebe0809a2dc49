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
