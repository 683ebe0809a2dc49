import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitSql } from './sql-parser.js';

const texts = (code: string): string[] => splitSql(code).map((s) => s.text);

describe('splitSql', () => {
  test('splits on semicolons and trims each statement', () => {
    assert.deepEqual(texts('select 1;  select 2 ;\n\nselect 3;'), ['select 1', 'select 2', 'select 3']);
  });

  test('offsets point into the original code', () => {
    const code = '  select 1;\n  select 2  ';
    const statements = splitSql(code);
    assert.deepEqual(statements, [
      { text: 'select 1', start: 2, end: 10 },
      { text: 'select 2', start: 14, end: 22 },
    ]);
    for (const s of statements) assert.equal(code.slice(s.start, s.end), s.text);
  });

  test('a trailing statement without a semicolon counts', () => {
    assert.deepEqual(texts('select 1; select 2'), ['select 1', 'select 2']);
    assert.deepEqual(texts('select 1'), ['select 1']);
  });

  test('empty input, whitespace and bare semicolons give no statements', () => {
    assert.deepEqual(texts(''), []);
    assert.deepEqual(texts('  \n\t '), []);
    assert.deepEqual(texts(';;; ;\n;'), []);
    assert.deepEqual(texts('select 1;;;select 2'), ['select 1', 'select 2']);
  });

  test('statements holding only comments are dropped', () => {
    assert.deepEqual(texts('-- just a note\n;/* block */;select 1; -- trailing'), ['select 1']);
    assert.deepEqual(texts('/* a */ /* b */ -- c'), []);
  });

  test('comments inside a statement are kept in its text', () => {
    assert.deepEqual(texts('-- head\nselect 1 /* mid */ + 1;'), ['-- head\nselect 1 /* mid */ + 1']);
  });

  test('semicolons inside single-quoted strings, with doubled-quote escapes', () => {
    assert.deepEqual(texts("select 'a;b'; select 'it''s; fine'; select ''"), [
      "select 'a;b'",
      "select 'it''s; fine'",
      "select ''",
    ]);
  });

  test('a backslash in a standard string is literal', () => {
    assert.deepEqual(texts("select 'C:\\'; select 2"), ["select 'C:\\'", 'select 2']);
  });

  test("E'' strings take backslash escapes", () => {
    assert.deepEqual(texts("select E'a\\';b'; select e'\\\\'; select 3"), [
      "select E'a\\';b'",
      "select e'\\\\'",
      'select 3',
    ]);
  });

  test("a word ending in e before a quote is not an E'' string", () => {
    assert.deepEqual(texts("select date'C:\\'; select 2"), ["select date'C:\\'", 'select 2']);
  });

  test('double-quoted and backtick identifiers', () => {
    assert.deepEqual(texts('select 1 as "a;""b"; select `c;``d` from t; select 3'), [
      'select 1 as "a;""b"',
      'select `c;``d` from t',
      'select 3',
    ]);
  });

  test('line comments hide semicolons and quotes until the end of the line', () => {
    assert.deepEqual(texts("select 1 -- it's; here\n+ 1; select 2"), ["select 1 -- it's; here\n+ 1", 'select 2']);
    assert.deepEqual(texts('select 1 -- ; \r\n; select 2'), ['select 1 -- ;', 'select 2']);
  });

  test('block comments hide semicolons and may nest', () => {
    assert.deepEqual(texts('select /* ; */ 1; select 2'), ['select /* ; */ 1', 'select 2']);
    assert.deepEqual(texts('select /* outer /* inner ; */ still ; comment */ 1; select 2'), [
      'select /* outer /* inner ; */ still ; comment */ 1',
      'select 2',
    ]);
  });

  test('a division followed by a multiplication is not a comment', () => {
    assert.deepEqual(texts('select 4 / 2 * 3; select 2'), ['select 4 / 2 * 3', 'select 2']);
  });

  test('dollar-quoted bodies, anonymous and tagged', () => {
    const fn = 'create function f() returns int as $$ begin; return 1; end; $$ language plpgsql';
    assert.deepEqual(texts(`${fn}; select 2`), [fn, 'select 2']);
    const tagged = "do $body$ begin raise notice '$$;'; end $body$";
    assert.deepEqual(texts(`${tagged};select 3`), [tagged, 'select 3']);
  });

  test('a different tag inside a tagged body does not close it', () => {
    const code = 'select $a$ x $b$ ; $b$ y; $a$; select 2';
    assert.deepEqual(texts(code), ['select $a$ x $b$ ; $b$ y; $a$', 'select 2']);
  });

  test('positional parameters and dollars inside identifiers are not quotes', () => {
    assert.deepEqual(texts('select $1, $2; select a$b$c from t; select 3'), [
      'select $1, $2',
      'select a$b$c from t',
      'select 3',
    ]);
  });

  test('quotes inside comments and comments inside quotes are inert', () => {
    assert.deepEqual(texts("select '--; /*' ; /* ' ; */ select \"/*\"; select 3"), [
      "select '--; /*'",
      '/* \' ; */ select "/*"',
      'select 3',
    ]);
  });

  test('an unterminated quote makes the rest one statement', () => {
    assert.deepEqual(texts("select 1; select 'abc; select 2"), ['select 1', "select 'abc; select 2"]);
    assert.deepEqual(texts('select 1; select "abc; select 2'), ['select 1', 'select "abc; select 2']);
    assert.deepEqual(texts("select E'abc\\'; select 2"), ["select E'abc\\'; select 2"]);
    assert.deepEqual(texts('select $$ abc; select 2'), ['select $$ abc; select 2']);
  });

  test('an unterminated block comment makes the rest one statement, even without code', () => {
    assert.deepEqual(texts('select 1; /* never closed; select 2'), ['select 1', '/* never closed; select 2']);
    assert.deepEqual(texts('select 1; /* a /* b */ still open'), ['select 1', '/* a /* b */ still open']);
  });

  test('a line comment at the end of the input without a newline is fine', () => {
    assert.deepEqual(texts('select 1 -- done'), ['select 1 -- done']);
  });

  test('BEGIN ATOMIC bodies of SQL-standard functions stay whole', () => {
    const fn =
      'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END';
    assert.deepEqual(texts(`${fn}; SELECT f(1);`), [fn, 'SELECT f(1)']);
  });

  test('SQLite trigger bodies stay whole', () => {
    const trigger =
      'CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; INSERT INTO log VALUES (1); END';
    assert.deepEqual(texts(`${trigger};\nINSERT INTO a VALUES (1);`), [trigger, 'INSERT INTO a VALUES (1)']);
  });

  test('a transaction BEGIN does not swallow the statements after it', () => {
    assert.deepEqual(texts('BEGIN; insert into t values (1); END;'), ['BEGIN', 'insert into t values (1)', 'END']);
  });

  test('non-ASCII text and identifiers', () => {
    assert.deepEqual(texts("select 'héllo; wörld' as \"naïve;\"; select 'ok'"), [
      'select \'héllo; wörld\' as "naïve;"',
      "select 'ok'",
    ]);
  });

  test('CRLF line endings', () => {
    assert.deepEqual(texts('select 1;\r\nselect 2;\r\n'), ['select 1', 'select 2']);
  });

  // A quadratic split of these 2.6 MB would run for minutes and hit the test's deadline.
  test('a large script splits in one pass', { timeout: 60_000 }, () => {
    const code = "insert into t values (1, 'a;b', $$x;y$$); -- note\n".repeat(50_000);
    const statements = splitSql(code);
    assert.equal(statements.length, 50_000);
    assert.equal(statements[0]!.text, "insert into t values (1, 'a;b', $$x;y$$)");
    // A comment after a semicolon opens the next statement's text.
    assert.equal(statements[49_999]!.text, "-- note\ninsert into t values (1, 'a;b', $$x;y$$)");
  });
});
