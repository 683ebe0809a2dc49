/**
 * Control characters a cell or a log line may carry (ANSI escapes, backspaces, a bell): written raw
 * to a terminal they move the cursor, recolour or rewrite what is shown, so a result could fake
 * the output around it. They are shown as visible escapes instead; `\n` stays in log lines.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** Escapes control characters when `stream` is a terminal; a pipe or file gets the bytes as they are. */
export function forTerminal(stream: NodeJS.WriteStream, text: string): string {
  return stream.isTTY ? escapeControl(text) : text;
}
