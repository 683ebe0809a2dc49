// What the EngineConn console and the manager's console share: the token (taken once from ?token=,
// then kept in session storage), calls to the public API with the contract's error body, and the
// status pills.

const TOKEN_KEY = 'engineconn.token';

export function readToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    // Keep the token out of the address bar, history and screenshots.
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Keeps the token for this tab (or forgets it, given none). */
export function storeToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** `api(path, {method, body, raw})` with the token `getToken()` returns at each call. */
export function createApi(getToken) {
  return async function api(path, { method = 'GET', body, raw = false } = {}) {
    const headers = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let error = { code: 'EC_INTERNAL', message: `${method} ${path} answered ${response.status}` };
      try {
        error = (await response.json()).error ?? error;
      } catch {
        // Not the contract's JSON error body: keep the generic message.
      }
      throw new ApiError(response.status, error.code, error.message);
    }
    if (raw) return response;
    return response.status === 204 ? null : response.json();
  };
}

export function pill(element, value) {
  element.textContent = value ?? '';
  element.className = `pill ${value ?? ''}`;
}
