/** The EngineConn's health as reported to a manager (docs/manager.md#watch-lost). */
export const HEALTH_STATES = ['Healthy', 'WARN', 'UnHealthy'] as const;
export type Health = (typeof HEALTH_STATES)[number];

export function isHealth(value: unknown): value is Health {
  return typeof value === 'string' && (HEALTH_STATES as readonly string[]).includes(value);
}
