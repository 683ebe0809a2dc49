import type { ErrorCode, ErrorResponse } from '@engineconn/protocol';
import { errorCodeForStatus, isErrorCode } from '@engineconn/protocol/constants';

// Calls to the public API with the bearer token and the contract's error body, for both consoles.

/** A non-2xx answer: its HTTP status and the contract's stable EC_* code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;

  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** JSON calls (the answer's type is the route's, as the caller names it) and binary reads. */
export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  blob(path: string): Promise<Blob>;
}

async function errorOf(response: Response, method: string, path: string): Promise<ApiError> {
  let error: Partial<ErrorResponse['error']> | undefined;
  try {
    error = ((await response.json()) as Partial<ErrorResponse>).error;
  } catch {
    // Not the contract's JSON error body (a proxy's page): the code of its status, as the SDK does.
  }
  return new ApiError(
    response.status,
    isErrorCode(error?.code) ? error.code : errorCodeForStatus(response.status),
    typeof error?.message === 'string' ? error.message : `${method} ${path} answered ${response.status}`,
  );
}

/** An API client that sends the token `getToken()` returns at each call (it changes when the user enters one). */
export function createApiClient(getToken: () => string): ApiClient {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await errorOf(response, method, path);
    return response;
  };
  return {
    get: async <T>(path: string) => (await (await call('GET', path)).json()) as T,
    post: async <T>(path: string, body?: unknown) => (await (await call('POST', path, body)).json()) as T,
    blob: async (path: string) => (await call('GET', path)).blob(),
  };
}

/** What the banner says about a failed call: the server's code and message, and what to do about a token. */
export function explain(err: unknown, peer: string): string {
  if (err instanceof ApiError && err.code === 'EC_UNAUTHORIZED') {
    return `${err.message} Enter a token above (or open this page with ?token=…).`;
  }
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return `Cannot reach the ${peer}: ${err instanceof Error ? err.message : String(err)}`;
}
