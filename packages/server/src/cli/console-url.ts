/** The console URL handed out at start: the owner token rides in it once (the console then drops it). */
export function consoleUrl(url: string, token: string | undefined): string {
  return token === undefined ? `${url}/` : `${url}/?token=${encodeURIComponent(token)}`;
}
