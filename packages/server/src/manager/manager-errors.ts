import { EngineConnError, type ErrorBody } from '@engineconn/core';

/** A launch that failed or timed out: the answer carries the engine's last log lines. */
export class EngineStartError extends EngineConnError {
  constructor(
    code: 'EC_ENGINE_START_FAILED' | 'EC_ENGINE_START_TIMEOUT',
    message: string,
    readonly logTail: string[],
  ) {
    super(code, message);
    this.name = 'EngineStartError';
  }

  override toJSON(): ErrorBody & { logTail: string[] } {
    return { ...super.toJSON(), logTail: this.logTail };
  }
}

export class LimitReachedError extends EngineConnError {
  constructor(message: string) {
    super('EC_LIMIT_REACHED', message);
    this.name = 'LimitReachedError';
  }
}
