/** The environment variable a manager passes an EngineConn's report secret in (never on the command line). */
export const MANAGER_SECRET_ENV = 'ENGINECONN_MANAGER_SECRET';

/** Takes the report secret out of the environment, so no task the engine runs can inherit it. */
export function takeManagerSecret(): string | undefined {
  const secret = process.env[MANAGER_SECRET_ENV];
  delete process.env[MANAGER_SECRET_ENV];
  return secret === '' ? undefined : secret;
}
