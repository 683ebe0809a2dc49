import { JSON_BYTES } from './json-bytes.js';

const { QUOTE, BACKSLASH, COMMA, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE } = JSON_BYTES;

/**
 * The JSON text of each cell of a stored row (a JSON array as `encodeRow` writes it), taken from the
 * text rather than parsed: a parsed object would reorder integer-like keys, so CSV and NDJSON copy
 * the cells' text instead. A row with no object at all is parsed (faster) and re-stringified, which
 * gives back the same text, since its numbers were written by JSON.stringify.
 */
export function rowCells(line: string): string[] {
  if (!line.includes('{')) return (JSON.parse(line) as unknown[]).map((value) => JSON.stringify(value));
  const cells: string[] = [];
  let depth = 0;
  let start = 1;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
      if (depth === 0) {
        const cell = line.slice(start, i).trim();
        if (cell !== '' || cells.length > 0) cells.push(cell);
        return cells;
      }
    } else if (c === COMMA && depth === 1) {
      cells.push(line.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new SyntaxError('A stored row is not a complete JSON array.');
}
