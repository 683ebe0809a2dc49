import { readFile, writeFile } from 'node:fs/promises';
import type { NativeValue, ValueCase } from './value-case.js';

/** docs/api.md, from the compiled packages/testkit/dist/values/. */
export const API_DOC = new URL('../../../../docs/api.md', import.meta.url);

/** The CSV field of a cell's JSON text, by the rules the exports follow (an independent oracle). */
export function csvOfJson(json: string): string {
  const value = JSON.parse(json) as unknown;
  if (value === null) return '';
  const text = typeof value === 'string' ? value : json;
  if (text === '') return '""';
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function code(text: string): string {
  if (text === '') return '*(empty)*';
  const escaped = text.replaceAll('|', '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

export function markers(engine: string): { begin: string; end: string } {
  return {
    begin: `<!-- value-types:${engine}:begin (checked by the ${engine} value-fidelity test) -->`,
    end: `<!-- value-types:${engine}:end -->`,
  };
}

/** The engine's rows of the type table: engine type → JSON form → CSV form, from its corpus. */
export function typeTable(engine: string, cases: readonly ValueCase[], natives: readonly NativeValue[]): string {
  const { begin, end } = markers(engine);
  const lines = [begin, '', '| engine type | JSON | CSV |', '|---|---|---|'];
  cases.forEach((c, i) => {
    if (c.doc) lines.push(`| ${code(natives[i]?.type ?? '?')} | ${code(c.json)} | ${code(csvOfJson(c.json))} |`);
  });
  lines.push('', end);
  return lines.join('\n');
}

/**
 * The engine's section of docs/api.md as it is now, or null when it has none. With
 * EC_UPDATE_DOCS=1 the section is rewritten to `expected` first (and a missing one appended).
 */
export async function documentedTable(engine: string, expected: string): Promise<string | null> {
  const { begin, end } = markers(engine);
  let doc = await readFile(API_DOC, 'utf8');
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (process.env.EC_UPDATE_DOCS === '1') {
    doc = from >= 0 && to > from ? doc.slice(0, from) + expected + doc.slice(to + end.length) : `${doc}\n${expected}\n`;
    await writeFile(API_DOC, doc);
    return expected;
  }
  return from >= 0 && to > from ? doc.slice(from, to + end.length) : null;
}
