// The token both consoles use: taken once from ?token= (the URL `engineconn start` prints), then
// kept in this tab's session storage of the server's own origin, never in the address bar.

const TOKEN_KEY = 'engineconn.token';

/** The token from ?token= (moved to session storage and out of the URL), else the one kept for this tab. */
export function readToken(): string {
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
function storeToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Wires the header's token form: it shows the token in use, and a token entered there is kept for
 * this tab and handed to `use`.
 */
export function bindTokenForm(
  form: HTMLFormElement,
  input: HTMLInputElement,
  current: string,
  use: (token: string) => void,
): void {
  input.value = current;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    storeToken(token);
    use(token);
  });
}
