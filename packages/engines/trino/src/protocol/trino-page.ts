import { isSafeNumber, parse } from 'lossless-json';
import { z } from 'zod';

// The wire shape of the client protocol's answers (POST /v1/statement and every nextUri page),
// as Trino 476 sends them. Unknown fields are kept out; what we rely on is checked on every page,
// so a malformed page fails the task with a clear error instead of being misread.

const typeArgument: z.ZodType<TypeArgument> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal('LONG'), value: z.number() }),
    z.object({ kind: z.literal('TYPE'), value: typeSignature }),
    z.object({
      kind: z.literal('NAMED_TYPE'),
      value: z.object({ fieldName: z.object({ name: z.string() }).optional(), typeSignature }),
    }),
    z.object({ kind: z.string(), value: z.unknown() }),
  ]),
);

export type TypeArgument =
  | { kind: 'LONG'; value: number }
  | { kind: 'TYPE'; value: TypeSignature }
  | { kind: 'NAMED_TYPE'; value: { fieldName?: { name: string } | undefined; typeSignature: TypeSignature } }
  | { kind: string; value: unknown };

export interface TypeSignature {
  rawType: string;
  arguments: TypeArgument[];
}

const typeSignature: z.ZodType<TypeSignature> = z.lazy(() =>
  z.object({ rawType: z.string(), arguments: z.array(typeArgument) }),
);

export const trinoColumnSchema = z.object({
  name: z.string(),
  type: z.string(),
  typeSignature: typeSignature.optional(),
});
export type TrinoColumn = z.infer<typeof trinoColumnSchema>;

const count = z.union([z.number(), z.string()]).transform(Number);

export const trinoStatsSchema = z.object({
  state: z.string(),
  queued: z.boolean().optional(),
  scheduled: z.boolean().optional(),
  progressPercentage: z.number().optional(),
  totalSplits: count.optional(),
  runningSplits: count.optional(),
  completedSplits: count.optional(),
  queuedSplits: count.optional(),
});
export type TrinoStats = z.infer<typeof trinoStatsSchema>;

export const trinoErrorSchema = z.object({
  message: z.string(),
  errorCode: z.number().optional(),
  errorName: z.string().optional(),
  errorType: z.string().optional(),
  errorLocation: z.object({ lineNumber: z.number(), columnNumber: z.number() }).optional(),
});
export type TrinoError = z.infer<typeof trinoErrorSchema>;

export const trinoPageSchema = z.object({
  id: z.string().min(1),
  infoUri: z.string().optional(),
  nextUri: z.string().optional(),
  columns: z.array(trinoColumnSchema).optional(),
  data: z.array(z.array(z.unknown())).optional(),
  stats: trinoStatsSchema.optional(),
  error: trinoErrorSchema.optional(),
  updateType: z.string().optional(),
  updateCount: count.optional(),
});
export type TrinoPage = z.infer<typeof trinoPageSchema>;

// An integer literal of 16+ digits is the only thing JSON.parse can round: only then is the
// (4x slower) lossless parser needed. A false positive (digits inside a string) only costs time.
const LONG_INTEGER = /\d{16}/;

function parseNumber(text: string): unknown {
  // Integers beyond ±(2^53−1) stay exact strings of digits (docs/api.md); everything else is a number.
  if (isSafeNumber(text) || /[.eE]/.test(text)) return Number(text);
  return text;
}

/** JSON.parse that keeps every integer exact. */
export function parseLosslessJson(text: string): unknown {
  return LONG_INTEGER.test(text) ? parse(text, null, parseNumber) : JSON.parse(text);
}

export class MalformedPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPageError';
  }
}

/** Parses and checks one protocol answer. */
export function parsePage(text: string, from: string): TrinoPage {
  let json: unknown;
  try {
    json = parseLosslessJson(text);
  } catch (err) {
    throw new MalformedPageError(
      `Trino sent a page that is not JSON (${from}): ${(err as Error).message}; it began ${JSON.stringify(text.slice(0, 120))}`,
    );
  }
  const page = trinoPageSchema.safeParse(json);
  if (!page.success) {
    const issue = page.error.issues[0];
    throw new MalformedPageError(
      `Trino sent a page this client cannot read (${from}): ${issue?.path.join('.') || 'page'}: ${issue?.message}`,
    );
  }
  return page.data;
}
