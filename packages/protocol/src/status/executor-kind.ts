/** How an EngineConn runs its tasks (docs/architecture.md): one at a time, several at once, or one job for its life. */
export const EXECUTOR_KINDS = ['serial', 'concurrent', 'async', 'once'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

/** The executors a manager can launch on request: `once` EngineConns are started for one job only. */
export const LAUNCHABLE_EXECUTOR_KINDS = ['serial', 'concurrent', 'async'] as const;
export type LaunchableExecutorKind = (typeof LAUNCHABLE_EXECUTOR_KINDS)[number];
