/** The default and largest page of `GET /api/v1/tasks`. */
export const TASK_PAGE_DEFAULT = 100;
export const TASK_PAGE_MAX = 1000;

/** The largest page of log lines and of TABLE rows. */
export const MAX_PAGE_LIMIT = 10_000;

/** The default and largest TEXT / HTML result page, in UTF-8 bytes. */
export const TEXT_PAGE_MAX_BYTES = 1024 * 1024;

/** The longest `?wait=` of a one-request task: longer holds belong on the event stream. */
export const MAX_SUBMIT_WAIT_MS = 60_000;

/** The kinds of result set (docs/api.md#values-in-results). */
export const RESULT_SET_TYPES = ['TABLE', 'TEXT', 'HTML', 'PICTURE'] as const;
export type ResultSetType = (typeof RESULT_SET_TYPES)[number];

/** `?format=` of a result read: a JSON page, or the whole set streamed as CSV, NDJSON or raw text. */
export const RESULT_FORMATS = ['json', 'csv', 'ndjson', 'raw'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];
