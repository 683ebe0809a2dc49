import * as R from '@engineconn/protocol';
import {
  ERROR_CODES,
  type ErrorCode,
  EventsQuerySchema,
  HealthRequestSchema,
  LockParamsSchema,
  LockRequestSchema,
  LogsQuerySchema,
  ResultPageQuerySchema,
  ResultParamsSchema,
  SubmitQuerySchema,
  SubmitRequestSchema,
  TaskParamsSchema,
  TasksQuerySchema,
  WsClientMessageSchema,
  WsErrorMessageSchema,
  WsEventMessageSchema,
} from '@engineconn/protocol';
import { z } from 'zod';

type JsonObject = Record<string, unknown>;

interface Answer {
  description: string;
  schema?: z.ZodType;
  /** Media types other than JSON (SSE, CSV, images). */
  media?: Record<string, JsonObject>;
}

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyOptional?: boolean;
  ok: Record<number, Answer>;
  /** The route's own errors; those of the hooks every request passes are added from the flags below. */
  errors?: ErrorCode[];
  /** No token needed. */
  public?: boolean;
  /** Skips the same-origin guard too (the probes). */
  anyHost?: boolean;
  extensions?: JsonObject;
}

/**
 * What the root hooks answer before any route runs (request-guard.ts, auth.ts, the body parser), so
 * every operation they cover lists them without repeating them by hand: the guard refuses a foreign
 * Origin or Host and a body that is not JSON, auth a missing or unknown token, the parser a body that
 * is malformed or too large.
 */
function hookErrors(op: Operation): ErrorCode[] {
  return [
    ...(op.anyHost ? [] : (['EC_FORBIDDEN_ORIGIN', 'EC_UNSUPPORTED_MEDIA_TYPE'] as const)),
    ...(op.public ? [] : (['EC_UNAUTHORIZED'] as const)),
    ...(op.body ? (['EC_BAD_REQUEST', 'EC_PAYLOAD_TOO_LARGE'] as const) : []),
  ];
}

/** Named schemas: they become `components.schemas` and are referenced by `$ref`. */
const COMPONENTS: Record<string, z.ZodType> = {
  ErrorResponse: R.ErrorResponseSchema,
  SubmitRequest: SubmitRequestSchema,
  LockRequest: LockRequestSchema,
  HealthRequest: HealthRequestSchema,
  EngineConnInfo: R.EngineConnInfoSchema,
  TaskRef: R.TaskRefSchema,
  TaskInfo: R.TaskInfoSchema,
  OneRequestTask: R.OneRequestTaskSchema,
  InlineResult: R.InlineResultSchema,
  TaskList: R.TaskListSchema,
  LogPage: R.LogPageSchema,
  ResultSetMeta: R.ResultSetMetaSchema,
  ResultSetList: R.ResultSetListSchema,
  RowsPage: R.RowsPageSchema,
  TextResult: R.TextResultSchema,
  LockGrant: R.LockGrantSchema,
  Unlocked: R.UnlockedSchema,
  ShutdownAccepted: R.ShutdownAcceptedSchema,
  HealthAnswer: R.HealthAnswerSchema,
  Liveness: R.LivenessSchema,
  Readiness: R.ReadinessSchema,
  StatusEventData: R.TaskEventDataSchemas.status,
  ProgressEventData: R.TaskEventDataSchemas.progress,
  LogEventData: R.TaskEventDataSchemas.log,
  DoneEventData: R.TaskEventDataSchemas.done,
  WsClientMessage: WsClientMessageSchema,
  WsEventMessage: WsEventMessageSchema,
  WsErrorMessage: WsErrorMessageSchema,
};

const TASK_ERRORS: ErrorCode[] = ['EC_UNAUTHORIZED', 'EC_TASK_NOT_FOUND'];

const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/api/v1/engineconn',
    tag: 'engineconn',
    summary: 'Status, health, labels and load of this EngineConn',
    ok: { 200: { description: 'The EngineConn', schema: R.EngineConnInfoSchema } },
    errors: ['EC_UNAUTHORIZED'],
  },
  {
    method: 'post',
    path: '/api/v1/engineconn/shutdown',
    tag: 'engineconn',
    summary: 'Drain running tasks, then exit (owner or admin)',
    ok: { 202: { description: 'Shutdown started', schema: R.ShutdownAcceptedSchema } },
    errors: ['EC_UNAUTHORIZED', 'EC_FORBIDDEN'],
  },
  {
    method: 'post',
    path: '/api/v1/engineconn/health',
    tag: 'engineconn',
    summary: "A manager's health override (owner or admin); UnHealthy refuses new tasks",
    body: HealthRequestSchema,
    ok: { 200: { description: 'The health now', schema: R.HealthAnswerSchema } },
    errors: ['EC_BAD_REQUEST', 'EC_UNAUTHORIZED', 'EC_FORBIDDEN'],
  },
  {
    method: 'post',
    path: '/api/v1/tasks',
    tag: 'tasks',
    summary: 'Submit code to run; with ?wait=, wait for it to end and get its results in the same answer',
    body: SubmitRequestSchema,
    query: SubmitQuerySchema,
    ok: {
      200: { description: 'The task ended within ?wait=: the task and its results', schema: R.OneRequestTaskSchema },
      202: { description: 'Accepted; follow it with the events stream', schema: R.TaskRefSchema },
    },
    errors: [
      'EC_BAD_REQUEST',
      'EC_UNAUTHORIZED',
      'EC_FORBIDDEN',
      'EC_BUSY',
      'EC_PAYLOAD_TOO_LARGE',
      'EC_LOCK_INVALID',
      'EC_SHUTTING_DOWN',
      'EC_UNHEALTHY',
    ],
  },
  {
    method: 'get',
    path: '/api/v1/tasks',
    tag: 'tasks',
    summary: 'Your tasks (all tasks for admins), newest first, a page at a time',
    query: TasksQuerySchema,
    ok: { 200: { description: 'A page of tasks; pass `next` as `after` for the next page', schema: R.TaskListSchema } },
    errors: ['EC_BAD_REQUEST', 'EC_UNAUTHORIZED'],
  },
  {
    method: 'get',
    path: '/api/v1/tasks/{id}',
    tag: 'tasks',
    summary: 'One task',
    params: TaskParamsSchema,
    ok: { 200: { description: 'The task', schema: R.TaskInfoSchema } },
    errors: TASK_ERRORS,
  },
  {
    method: 'get',
    path: '/api/v1/tasks/{id}/logs',
    tag: 'tasks',
    summary: 'A page of the task log, readable from any line while and after it runs',
    params: TaskParamsSchema,
    query: LogsQuerySchema,
    ok: { 200: { description: 'Log lines [from, next)', schema: R.LogPageSchema } },
    errors: ['EC_BAD_REQUEST', ...TASK_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/tasks/{id}/kill',
    tag: 'tasks',
    summary: 'Kill the task (idempotent); it ends Cancelled once its work has stopped',
    params: TaskParamsSchema,
    ok: { 202: { description: 'Kill started', schema: R.TaskRefSchema } },
    errors: TASK_ERRORS,
  },
  {
    method: 'get',
    path: '/api/v1/tasks/{id}/events',
    tag: 'events',
    summary: 'The task events as Server-Sent Events',
    description:
      'Events `status`, `progress`, `log`, `resultSet` and `done` (the data schemas are the *EventData components; resultSet data is a ResultSetMeta). Each carries its sequence number as `id:`; reconnect with the `Last-Event-ID` header (or `?after=`) to resume without gap or repeat. The stream ends after `done`; `: ping` comments keep it alive.',
    params: TaskParamsSchema,
    query: EventsQuerySchema,
    ok: { 200: { description: 'An event stream', media: { 'text/event-stream': { schema: { type: 'string' } } } } },
    errors: ['EC_BAD_REQUEST', ...TASK_ERRORS],
  },
  {
    method: 'get',
    path: '/api/v1/tasks/{id}/results',
    tag: 'results',
    summary: 'The result sets of the task',
    params: TaskParamsSchema,
    ok: { 200: { description: 'Result set metadata', schema: R.ResultSetListSchema } },
    errors: TASK_ERRORS,
  },
  {
    method: 'get',
    path: '/api/v1/tasks/{id}/results/{index}',
    tag: 'results',
    summary: 'A page of a TABLE set, a page of a TEXT/HTML set, or the bytes of a PICTURE',
    description: [
      'TABLE pages count rows; TEXT and HTML pages count UTF-8 bytes (default and at most 1 MiB) and never split a character: follow `next` until it is null.',
      'With `format=csv` or `format=ndjson` a TABLE set is streamed whole, with `format=raw` a TEXT or HTML set (offset and limit are ignored).',
    ].join('\n\n'),
    params: ResultParamsSchema,
    query: ResultPageQuerySchema,
    ok: {
      200: {
        description:
          'RowsPage (TABLE), TextResult (TEXT, HTML), the image (PICTURE), or the whole set as CSV / NDJSON / raw text',
        media: {
          'application/json': { schema: { oneOf: [ref('RowsPage'), ref('TextResult')] } },
          'text/csv': { schema: { type: 'string' } },
          'application/x-ndjson': { schema: { type: 'string' } },
          'text/plain': { schema: { type: 'string' } },
          'text/html': { schema: { type: 'string' } },
          'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } },
        },
      },
    },
    errors: ['EC_BAD_REQUEST', 'EC_RESULT_NOT_FOUND', ...TASK_ERRORS],
  },
  {
    method: 'post',
    path: '/api/v1/locks',
    tag: 'locks',
    summary: "Take the EngineConn's lock (serial executor; others grant and ignore it)",
    body: LockRequestSchema,
    bodyOptional: true,
    ok: { 200: { description: 'The lock', schema: R.LockGrantSchema } },
    errors: ['EC_BAD_REQUEST', 'EC_UNAUTHORIZED', 'EC_FORBIDDEN', 'EC_BUSY'],
  },
  {
    method: 'delete',
    path: '/api/v1/locks/{lock}',
    tag: 'locks',
    summary: 'Release a lock',
    params: LockParamsSchema,
    ok: { 200: { description: 'Released', schema: R.UnlockedSchema } },
    errors: ['EC_UNAUTHORIZED', 'EC_LOCK_NOT_FOUND'],
  },
  {
    method: 'delete',
    path: '/api/v1/locks',
    tag: 'locks',
    summary: 'Break the lock held now, whoever holds it (owner or admin)',
    ok: { 200: { description: 'Broken', schema: R.UnlockedSchema } },
    errors: ['EC_UNAUTHORIZED', 'EC_FORBIDDEN', 'EC_LOCK_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/v1/events',
    tag: 'events',
    summary: 'Task events over a WebSocket',
    description: [
      'Upgrade to a WebSocket (browsers pass the token as `?token=`). Send WsClientMessage: `{"type": "subscribe", "taskId": ID or "*", "after"?: seq}` or `{"type": "unsubscribe", "taskId"}`.',
      'The server sends WsEventMessage `{"type": "event", "taskId", "seq", "event", "data"}` (data as on SSE) and WsErrorMessage `{"type": "error", "code", "message", "taskId"?}`.',
      '`*` follows your unfinished tasks and every task you submit later; subscribe to a finished task by id to replay it. Resubscribing to a task restarts its stream after the given `after`.',
      "Errors leave the socket open: a malformed message is EC_BAD_REQUEST; an unknown or foreign task EC_TASK_NOT_FOUND; an `after` beyond the task's last event EC_BAD_REQUEST (no silent wait).",
      'A client whose send queue stays above the high-water mark too long gets EC_SLOW_CONSUMER and close code 4008; it reconnects and resubscribes after the last seq it received. Messages over 64 KiB close the socket with 1009.',
    ].join('\n\n'),
    ok: { 101: { description: 'Switching to the WebSocket protocol' } },
    errors: ['EC_UNAUTHORIZED', 'EC_FORBIDDEN'],
    extensions: {
      'x-websocket-messages': {
        client: ref('WsClientMessage'),
        server: { oneOf: [ref('WsEventMessage'), ref('WsErrorMessage')] },
      },
    },
  },
  {
    method: 'get',
    path: '/healthz',
    tag: 'probes',
    summary: 'Liveness',
    public: true,
    anyHost: true,
    ok: { 200: { description: 'Alive', schema: R.LivenessSchema } },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'probes',
    summary: 'Readiness: 503 while starting or shutting down',
    public: true,
    anyHost: true,
    ok: {
      200: { description: 'Ready', schema: R.ReadinessSchema },
      503: { description: 'Not ready', schema: R.ReadinessSchema },
    },
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    tag: 'probes',
    summary: 'This document',
    public: true,
    ok: { 200: { description: 'OpenAPI 3.1', media: { 'application/json': { schema: { type: 'object' } } } } },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'probes',
    summary: 'Prometheus metrics',
    ok: { 200: { description: 'Prometheus text format', media: { 'text/plain': { schema: { type: 'string' } } } } },
  },
];

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** Converts the named schemas at once, so shared ones become `$ref`s between components. */
function buildComponents(): { schemas: Record<string, JsonObject>; refOf: Map<z.ZodType, string> } {
  const registry = z.registry<{ id: string }>();
  const refOf = new Map<z.ZodType, string>();
  for (const [name, schema] of Object.entries(COMPONENTS)) {
    registry.add(schema, { id: name });
    refOf.set(schema, name);
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonObject> };
  // A component is addressed by its place in the document; zod's `$id` (a bare fragment) is not valid 2020-12.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return { schemas, refOf };
}

/** Path and query parameters, one per field of the route's zod object. */
function parameters(where: 'path' | 'query', object: z.ZodObject | undefined): JsonObject[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonObject;
    delete schema.$schema;
    const description = schema.description;
    delete schema.description;
    const required = where === 'path' || !(field as z.ZodType).safeParse(undefined).success;
    return { name, in: where, required, schema, ...(description ? { description } : {}) };
  });
}

/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from the zod schemas that validate the
 * requests (`../schemas.ts`) and describe the answers (`./response-schemas.ts`).
 */
export function buildOpenApiDocument(version: string): JsonObject {
  const { schemas, refOf } = buildComponents();
  const schemaOf = (schema: z.ZodType): JsonObject => {
    const name = refOf.get(schema);
    if (name) return ref(name);
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
    delete json.$schema;
    return json;
  };
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, JsonObject> = {};
    for (const [status, answer] of Object.entries(op.ok)) {
      const content =
        answer.media ?? (answer.schema ? { 'application/json': { schema: schemaOf(answer.schema) } } : undefined);
      responses[status] = { description: answer.description, ...(content ? { content } : {}) };
    }
    for (const code of new Set([...(op.errors ?? []), ...hookErrors(op)])) {
      const status = String(ERROR_CODES[code].status);
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: existing ? `${existing.description}, ${code}` : code,
        content: { 'application/json': { schema: ref('ErrorResponse') } },
      };
    }
    const operation: JsonObject = {
      operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: op.summary,
      tags: [op.tag],
      ...(op.description ? { description: op.description } : {}),
      parameters: [...parameters('path', op.params), ...parameters('query', op.query)],
      responses,
      ...(op.public ? { security: [] } : {}),
      ...op.extensions,
    };
    if (op.body) {
      operation.requestBody = {
        required: !op.bodyOptional,
        content: { 'application/json': { schema: schemaOf(op.body) } },
      };
    }
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, JsonObject>)[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'EngineConn API',
      version,
      description:
        'Run code through a live engine session and follow it in real time. Errors are `{"error": {"code": "EC_…", "message"}}`; see docs/api.md and docs/errors.md.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: ['engineconn', 'tasks', 'events', 'results', 'locks', 'probes'].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            "A token from the --auth-file; without one, the EngineConn's owner token (its ready file, its OS user's runtime file, or ENGINECONN_TOKEN at start).",
        },
      },
    },
  };
}
