/**
 * A column type name as the engines print them (DuckDB `STRUCT(a INTEGER, "b c" VARCHAR[])`,
 * `MAP(VARCHAR, INTEGER)`, PostgreSQL `numeric(38,10)[]`, Trino `row(a bigint)`, `array(integer)`,
 * `map(varchar, double)`), parsed far enough to decode values by it.
 */
export type TypeNode =
  | { kind: 'scalar'; name: string }
  | { kind: 'list'; item: TypeNode }
  | { kind: 'map'; key: TypeNode; value: TypeNode }
  | { kind: 'struct'; fields: { name: string; type: TypeNode }[] }
  | { kind: 'union'; members: { name: string; type: TypeNode }[] };

/** Type names of more than one word, so `STRUCT(TIMESTAMP WITH TIME ZONE)` is one unnamed field. */
const MULTI_WORD = /^(timestamp|time|double|character|bit|interval)\b/i;

/** Splits at top-level commas, outside quotes and brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      // A doubled quote is one quote character inside the quoted text.
      if (c === quote && text[i + 1] === quote) i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

/** `"a b" INTEGER` → name `a b`; `a INTEGER` → `a`; `INTEGER` (DuckDB's unnamed field) → ``. */
function field(text: string): { name: string; type: TypeNode } {
  if (text.startsWith('"')) {
    let end = 1;
    while (end < text.length && !(text[end] === '"' && text[end + 1] !== '"')) end += text[end] === '"' ? 2 : 1;
    return { name: text.slice(1, end).replaceAll('""', '"'), type: parseType(text.slice(end + 1)) };
  }
  const space = text.search(/\s/);
  if (space < 0 || MULTI_WORD.test(text)) return { name: '', type: parseType(text) };
  return { name: text.slice(0, space), type: parseType(text.slice(space + 1)) };
}

export function parseType(name: string): TypeNode {
  const text = name.trim();
  if (text.endsWith(']')) {
    const open = text.lastIndexOf('[');
    if (open > 0) return { kind: 'list', item: parseType(text.slice(0, open)) };
  }
  const call = /^(\w+)\s*\(([\s\S]*)\)$/.exec(text);
  if (call) {
    const head = (call[1] as string).toLowerCase();
    const args = splitTopLevel(call[2] as string);
    if (head === 'struct' || head === 'row') return { kind: 'struct', fields: args.map(field) };
    if (head === 'union') return { kind: 'union', members: args.map(field) };
    if (head === 'map' && args.length === 2) {
      return { kind: 'map', key: parseType(args[0] as string), value: parseType(args[1] as string) };
    }
    if (head === 'array' && args.length === 1) return { kind: 'list', item: parseType(args[0] as string) };
  }
  // Modifiers say nothing about the value's form: `numeric(38,10)`, `timestamp(3) with time zone`.
  return { kind: 'scalar', name: text.replace(/\s*\([^)]*\)/g, '').toLowerCase() };
}
