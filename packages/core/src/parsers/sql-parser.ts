/** One statement of a SQL script: `text` is trimmed and equals `code.slice(start, end)`. */
export interface SqlStatement {
  text: string;
  start: number;
  end: number;
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isWordChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 36 || // $ (inside a word, as PostgreSQL allows)
    code >= 0x80
  );
}

/** Index just past the closing `quote`, where a doubled quote is an escaped one; -1 when unterminated. */
function skipQuoted(code: string, from: number, quote: string, backslashEscapes: boolean): number {
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (backslashEscapes && c === '\\') {
      i++;
    } else if (c === quote) {
      if (code[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return -1;
}

/** Index just past the `*` `/` that closes the block comment opened at `from`, counting nested ones. */
function skipBlockComment(code: string, from: number): number {
  let depth = 1;
  for (let i = from + 2; i < code.length; i++) {
    if (code[i] === '/' && code[i + 1] === '*') {
      depth++;
      i++;
    } else if (code[i] === '*' && code[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Tracks `BEGIN … END` bodies of `CREATE [OR REPLACE] FUNCTION | PROCEDURE | TRIGGER` statements
 * (PostgreSQL `BEGIN ATOMIC`, SQLite triggers), whose inner semicolons do not end the statement. The
 * heuristic is psql's: inside such a statement BEGIN opens a block, CASE opens one within a block, END
 * closes one.
 */
class BlockDepth {
  #words: string[] = [];
  depth = 0;

  reset(): void {
    this.#words = [];
    this.depth = 0;
  }

  word(word: string): void {
    const lower = word.toLowerCase();
    if (this.#words.length < 6) this.#words.push(lower);
    if (!this.#isRoutine()) return;
    if (lower === 'begin') this.depth++;
    else if (lower === 'case' && this.depth > 0) this.depth++;
    else if (lower === 'end' && this.depth > 0) this.depth--;
  }

  #isRoutine(): boolean {
    const w = this.#words;
    if (w[0] !== 'create') return false;
    const at = w[1] === 'or' && w[2] === 'replace' ? 3 : 1;
    const kind = w[at] === 'temp' || w[at] === 'temporary' ? w[at + 1] : w[at];
    return kind === 'function' || kind === 'procedure' || kind === 'trigger';
  }
}

/**
 * Splits a SQL script into statements on `;`, ignoring semicolons inside quoted strings
 * ('…' with '' escapes, E'…' with backslash escapes), quoted identifiers ("…", `…`), comments
 * (`--` to end of line, nested `/* … *\/`), dollar-quoted bodies ($$…$$, $tag$…$tag$) and the
 * BEGIN … END body of a CREATE FUNCTION / PROCEDURE / TRIGGER. Statements that hold nothing but
 * whitespace and comments are dropped. An unterminated quote or comment makes the rest of the script
 * one statement, so the engine reports the syntax error instead of the splitter hiding code.
 */
export function splitSql(code: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  const blocks = new BlockDepth();
  let segmentStart = 0;
  let hasCode = false;

  const emit = (endExclusive: number): void => {
    if (hasCode) {
      const raw = code.slice(segmentStart, endExclusive);
      const text = raw.trim();
      const start = segmentStart + (raw.length - raw.trimStart().length);
      out.push({ text, start, end: start + text.length });
    }
    hasCode = false;
    blocks.reset();
  };

  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    let to: number;
    if (c === ';') {
      if (blocks.depth > 0) {
        i++;
        continue;
      }
      emit(i);
      segmentStart = ++i;
      continue;
    }
    if (c === '-' && next === '-') {
      const eol = code.indexOf('\n', i + 2);
      i = eol === -1 ? code.length : eol + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      to = skipBlockComment(code, i);
    } else if (c === "'") {
      to = skipQuoted(code, i + 1, "'", false);
    } else if (c === '"' || c === '`') {
      to = skipQuoted(code, i + 1, c, false);
    } else if (c === '$') {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(code)?.[0];
      if (tag === undefined) {
        hasCode = true;
        i++;
        continue;
      }
      const close = code.indexOf(tag, i + tag.length);
      to = close === -1 ? -1 : close + tag.length;
    } else if (isWordChar(c.charCodeAt(0))) {
      let end = i + 1;
      while (end < code.length && isWordChar(code.charCodeAt(end))) end++;
      const word = code.slice(i, end);
      hasCode = true;
      if ((word === 'E' || word === 'e') && code[end] === "'") {
        to = skipQuoted(code, end + 1, "'", true);
      } else {
        blocks.word(word);
        i = end;
        continue;
      }
    } else {
      if (c.trim() !== '') hasCode = true;
      i++;
      continue;
    }
    if (to === -1) {
      // Unterminated: everything left belongs to this statement, comment or not.
      hasCode = true;
      break;
    }
    if (c !== '/') hasCode = true;
    i = to;
  }
  emit(code.length);
  return out;
}
