/** What `engineconn manager start` runs with (docs/manager.md#flags), parsed from its flags. */
export interface ManagerSettings {
  /** Holds the registry (registry.sqlite) and one directory per engine (engines/). */
  dataDir: string;
  /** Engines at once, over all users; 0 = no limit. */
  maxEngines: number;
  /** Engines at once per user; 0 = no limit. */
  maxEnginesPerUser: number;
  engineStartTimeoutMs: number;
  /** The `--max-free-time` of the engines it launches. */
  engineIdleTimeMs: number;
  /** The engines' heartbeat interval; three missed make an engine Lost. */
  heartbeatIntervalMs: number;
  /** Engines it launched release themselves once it has been unreachable this long. */
  orphanTimeoutMs: number;
  /** Leave the engines running when the manager shuts down (they re-register with its successor). */
  keepEngines: boolean;
  /** How to run `engineconn`: the node binary and the CLI script. */
  command: readonly [string, ...string[]];
  /** How long a stopped engine may drain before it is killed. */
  stopGraceMs: number;
  /** Served over HTTPS: its certificate (PEM), which the engines it launches trust for their reports. */
  managerCa: Buffer | null;
}

/** How many heartbeat intervals of silence make an engine Lost. */
export const MISSED_HEARTBEATS = 3;

/** How long a Lost engine stays listed, so its user can see what happened to it. */
export const LOST_RETENTION_MS = 60 * 60_000;
