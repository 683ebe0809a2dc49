import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type EnginePlugin, type ExecutorKind, rowCells, type TaskView } from '@engineconn/core';
import { readText } from '@engineconn/core/testing';
import { finish, openRuntime } from '../conformance/conformance-runtime.js';
import { csvOfJson, documentedTable, typeTable } from './type-table.js';
import { caseQuery, type NativeValue, VALUE_TAGS, type ValueCase, type ValueTag } from './value-case.js';

export interface ValueFidelitySpec<S = unknown> {
  plugin: EnginePlugin<S>;
  options?: Record<string, string> | (() => Record<string, string>);
  executor?: ExecutorKind;
  runType?: string;
  before?: () => Promise<void> | void;
  after?: () => Promise<void> | void;
  /** Statements run first in the same task and in the native client (e.g. `SET TimeZone = …`). */
  setup?: readonly string[];
  cases: readonly ValueCase[];
  /** Kinds of value the engine has no type for, each with the reason. */
  without?: Partial<Record<ValueTag, string>>;
  /**
   * A guard against a hung engine, not a time the test asserts: the suite fails after this long.
   * Default 300 s, for a corpus of a hundred statements on a remote engine on a loaded machine.
   */
  timeoutMs?: number;
  /** The engine's own client or CLI on each case's expression (after `setup`), in order. */
  native(cases: readonly ValueCase[]): Promise<NativeValue[]>;
}

/** The one cell of a one-row, one-column result set, as its stored JSON text. */
async function storedCell(view: TaskView, index: number): Promise<string> {
  const page = await view.results.readRowsJson(index, 0, 2);
  const rows = rowCells(page.rows.toString('utf8'));
  assert.equal(rows.length, 1, `result set ${index} has one row`);
  const cells = rowCells(rows[0] as string);
  assert.equal(cells.length, 1, `result set ${index} has one cell`);
  return cells[0] as string;
}

/**
 * The value-fidelity case every SQL engine runs: each value of the engine's corpus goes through the
 * real EngineConnRuntime and must be stored as docs/api.md says (its exact JSON text), typed with the
 * engine's own full type name, exported as the same CSV and NDJSON, while the engine's own client,
 * asked in the same test, shows the value the corpus records. docs/api.md's type table for the
 * engine is checked against the corpus too.
 */
export function runValueFidelitySuite<S>(spec: ValueFidelitySpec<S>): void {
  const options = () => (typeof spec.options === 'function' ? spec.options() : (spec.options ?? {}));
  const setup = spec.setup ?? [];
  describe(`${spec.plugin.name} value fidelity`, { timeout: spec.timeoutMs ?? 300_000 }, () => {
    if (spec.before) before(spec.before);
    if (spec.after) after(spec.after);

    test('the corpus holds every kind of edge value the engine has', () => {
      for (const tag of VALUE_TAGS) {
        if (spec.without?.[tag]) continue;
        assert.ok(
          spec.cases.some((c) => c.tags.includes(tag)),
          `no '${tag}' case in the ${spec.plugin.name} corpus`,
        );
      }
    });

    test('every value is stored, typed and exported as docs/api.md says and as the engine shows it', async (t) => {
      const natives = await spec.native(spec.cases);
      assert.equal(natives.length, spec.cases.length, 'one native answer per case');
      const ec = await openRuntime(spec, options(), t);
      const code = [...setup, ...spec.cases.map(caseQuery)].join(';\n');
      const view = ec.submit(code);
      const { info } = await finish(view);
      assert.equal(info.status, 'Succeed', `task failed: ${info.error?.message}`);
      const metas = view.results.list();
      assert.equal(metas.length, setup.length + spec.cases.length, 'one result set per statement');
      for (const [i, c] of spec.cases.entries()) {
        const index = setup.length + i;
        const native = natives[i] as NativeValue;
        const what = `case ${i} (${caseQuery(c)})`;
        assert.equal(await storedCell(view, index), c.json, `${what}: stored JSON`);
        assert.equal(native.text, c.native, `${what}: the engine's own client shows`);
        assert.equal(metas[index]?.columns?.[0]?.type, native.type, `${what}: column type`);
        assert.equal(
          await readText(view.results.stream(index, 'csv')),
          `v\r\n${csvOfJson(c.json)}\r\n`,
          `${what}: CSV`,
        );
        assert.equal(await readText(view.results.stream(index, 'ndjson')), `{"v":${c.json}}\n`, `${what}: NDJSON`);
      }
      const expected = typeTable(spec.plugin.name, spec.cases, natives);
      const documented = await documentedTable(spec.plugin.name, expected);
      assert.equal(documented, expected, 'docs/api.md type table (EC_UPDATE_DOCS=1 rewrites it)');
    });
  });
}
