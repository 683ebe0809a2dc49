import type { LockService } from '../accessible/lock-service.js';
import { ExecutorManager } from '../computation/executor-manager.js';
import { createExecutor } from '../computation/executors/create-executor.js';
import type { SchedulingExecutor } from '../computation/executors/scheduling-executor.js';
import { TaskExecutionService } from '../computation/task-execution-service.js';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import type { EngineConnEvents } from '../events/engine-conn-events.js';
import type { SyncListenerBus } from '../events/listener-bus.js';
import type { EngineLogger, EnginePlugin } from '../plugin/engine-plugin.js';
import type { RuntimeSettings } from './runtime-settings.js';

/** How tasks run on an open session: code executors per run type, the scheduler, the task service. */
export interface TaskMachinery {
  readonly executors: ExecutorManager;
  readonly executor: SchedulingExecutor;
  readonly tasks: TaskExecutionService;
}

export interface TaskMachineryOptions {
  plugin: EnginePlugin<unknown>;
  context: EngineCreationContext;
  session: unknown;
  settings: RuntimeSettings;
  locks: LockService;
  bus: SyncListenerBus<EngineConnEvents>;
  logger: EngineLogger;
  /** The executor's load changed (a task started, queued or ended). */
  onLoadChanged: () => void;
  /** A task started or ended. */
  onActivity: () => void;
}

export function createTaskMachinery(opts: TaskMachineryOptions): TaskMachinery {
  const { settings, context } = opts;
  const executors = new ExecutorManager(opts.plugin, opts.session, context);
  const executor = createExecutor(context.executor, settings, opts.locks, opts.onLoadChanged);
  const tasks = new TaskExecutionService({
    executor,
    executors,
    bus: opts.bus,
    logger: opts.logger,
    dataDir: context.dataDir,
    killGraceMs: settings.killGraceMs,
    log: settings.log,
    retention: settings.retention,
    onActivity: opts.onActivity,
  });
  return { executors, executor, tasks };
}
