import { z } from 'zod';

/**
 * The version of the protocol between this package and `python/driver.py`, one JSON object per line
 * each way. It is passed to the driver at start (ENGINECONN_PY_PROTOCOL) and the driver answers with
 * its own in `ready` (or refuses in `fatal`): a driver and an EngineConn of different versions stop
 * at start-up with EC_ENGINE_START_FAILED instead of misreading each other. Raise it with any change
 * to a message below, and change driver.py's PROTOCOL_VERSION with it.
 */
export const DRIVER_PROTOCOL_VERSION = 1;

/** The environment variable that tells the driver which protocol version the EngineConn speaks. */
export const PROTOCOL_ENV = 'ENGINECONN_PY_PROTOCOL';

// ---- EngineConn → driver (fd 3) ----------------------------------------------------------------

export const runRequestSchema = z.strictObject({ type: z.literal('run'), id: z.string(), code: z.string() });
export type RunRequest = z.infer<typeof runRequestSchema>;

// ---- driver → EngineConn (fd 4) ----------------------------------------------------------------

/**
 * Start-up. `ready` and `fatal` keep these fields in every protocol version, so that a mismatch can
 * always be told apart from a broken driver.
 */
const readySchema = z.object({
  type: z.literal('ready'),
  protocol: z.number().int(),
  pid: z.number().int(),
  version: z.string(),
});
const fatalSchema = z.object({
  type: z.literal('fatal'),
  protocol: z.number().int(),
  message: z.string(),
});

const startedSchema = z.strictObject({ type: z.literal('started'), id: z.string() });

const doneSchema = z.discriminatedUnion('status', [
  z.strictObject({ type: z.literal('done'), id: z.string(), status: z.literal('ok') }),
  z.strictObject({ type: z.literal('done'), id: z.string(), status: z.literal('interrupted') }),
  z.strictObject({ type: z.literal('done'), id: z.string(), status: z.literal('error'), message: z.string() }),
]);

const columnSchema = z.strictObject({ name: z.string(), type: z.string() });
/** Cells are already JSON-safe (big integers as strings, NaN as "NaN"): the driver encodes them. */
const rowsField = z.array(z.array(z.unknown()));

const resultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    type: z.literal('result'),
    kind: z.literal('TABLE'),
    columns: z.array(columnSchema),
    rows: rowsField,
    more: z.boolean(),
  }),
  z.strictObject({ type: z.literal('result'), kind: z.literal('TEXT'), text: z.string() }),
  z.strictObject({ type: z.literal('result'), kind: z.literal('HTML'), text: z.string() }),
  z.strictObject({ type: z.literal('result'), kind: z.literal('PICTURE'), mime: z.string(), data: z.string() }),
]);

/** The next batch of the TABLE the last `result` opened (`more: true`). */
const rowsSchema = z.strictObject({ type: z.literal('rows'), rows: rowsField, more: z.boolean() });

/** The driver could not read a request (a bug on this side): it says so and goes on reading. */
const protocolErrorSchema = z.strictObject({
  type: z.literal('protocol-error'),
  message: z.string(),
});

export const driverMessageSchema = z.union([
  readySchema,
  fatalSchema,
  startedSchema,
  doneSchema,
  resultSchema,
  rowsSchema,
  protocolErrorSchema,
]);
export type DriverMessage = z.infer<typeof driverMessageSchema>;
export type DoneMessage = z.infer<typeof doneSchema>;
export type ResultMessage = z.infer<typeof resultSchema> | z.infer<typeof rowsSchema>;

/** A message as the driver sent it, or why it is not one (short enough for a log line). */
export function parseDriverMessage(line: string): { ok: true; message: DriverMessage } | { ok: false; why: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  const parsed = driverMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const type = (json as { type?: unknown } | null)?.type;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return {
    ok: false,
    why: typeof type === 'string' ? `a '${type}' message that does not fit the protocol${where}` : 'no message type',
  };
}

export function encodeRequest(request: RunRequest): string {
  return `${JSON.stringify(request)}\n`;
}
