import type { ErrorCode } from '@engineconn/protocol/constants';
import { EngineConnError } from '@engineconn/protocol/constants';

/**
 * Why a task's work was told to stop. It is the `reason` of the task's AbortSignal (wrapped in a
 * TaskAbortError), so an engine can tell a caller's kill from a timeout or a shutdown.
 */
export type TaskAbortReason =
  /** A caller killed it (`DELETE /api/v1/tasks/:id`, `engineconn kill`); `by` is who. */
  | { readonly kind: 'kill'; readonly by?: string }
  /** It ran longer than its `timeout` property. */
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** The EngineConn shut down while it ran or waited. */
  | { readonly kind: 'shutdown' }
  /** Nobody followed it for longer than `--caller-timeout`. */
  | { readonly kind: 'caller' };

export type TaskAbortKind = TaskAbortReason['kind'];

const ABORT_ERRORS: Record<TaskAbortKind, { code: ErrorCode; message: string }> = {
  kill: { code: 'EC_TASK_CANCELLED', message: 'The task was killed.' },
  shutdown: { code: 'EC_TASK_CANCELLED', message: 'The task was killed because the EngineConn shut down.' },
  timeout: { code: 'EC_TASK_TIMEOUT', message: "The task ran longer than its 'timeout' property and was stopped." },
  caller: { code: 'EC_CALLER_GONE', message: 'The task was killed because no caller followed it.' },
};

/**
 * The abort reason as an error: what `signal.reason` holds (so `signal.throwIfAborted()` throws
 * something that says why), and the task's terminal error, whose `cause` is what the engine threw
 * when it stopped the work.
 */
export class TaskAbortError extends EngineConnError {
  readonly reason: TaskAbortReason;

  constructor(reason: TaskAbortReason, options?: { cause?: unknown }) {
    const { code, message } = ABORT_ERRORS[reason.kind];
    super(code, message, options);
    this.name = 'TaskAbortError';
    this.reason = reason;
  }
}

/**
 * The typed reason behind an aborted task signal, or null. Checks the shape rather than the class,
 * so it holds when an engine was built against another copy of this package.
 */
export function taskAbortReasonOf(signal: AbortSignal): TaskAbortReason | null {
  if (!signal.aborted) return null;
  const reason: unknown = signal.reason;
  if (typeof reason !== 'object' || reason === null || !('reason' in reason)) return null;
  const inner: unknown = reason.reason;
  if (typeof inner !== 'object' || inner === null || !('kind' in inner)) return null;
  return typeof inner.kind === 'string' && inner.kind in ABORT_ERRORS ? (inner as TaskAbortReason) : null;
}
