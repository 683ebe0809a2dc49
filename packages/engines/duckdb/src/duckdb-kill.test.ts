import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type HarnessTask, isCancelled, waitFor } from '@engineconn/testkit';
import { openTestSession, type TestSession } from './test-support/duckdb-test-session.js';

// A nested-loop join of 4e10 pairs over a table (a count over range() reports no progress). DuckDB
// runs its build side, one whole scan of `pairs`, before it compares a pair, and counts that
// finished scan in its progress: about half, reported within milliseconds of the statement really
// running, while the pairs take tens of seconds. The condition holds for two pairs, so no statistics
// can fold it to false (`a.n + b.n = -1` was planned as `Condition: false`, a join a later DuckDB
// may drop), and a product is no equi-join a hash join could take over. before() checks the plan.
const LONG_AGGREGATE = 'select count(*) from pairs a, pairs b where a.n * b.n = 7';
// Rows flow from the first millisecond, so the kill lands in the fetch loop, where an interrupted
// stream ends with an empty chunk just like a complete one.
const LONG_STREAM = 'select * from range(10000000000)';

/** True once statement 2 of 3 is running in DuckDB: its rows flow, or DuckDB reports progress in it (the build side scanned). */
function secondRunning(harness: HarnessTask, sql: string): boolean {
  if (sql === LONG_STREAM) return (harness.resultSets[1]?.rows.length ?? 0) > 0;
  return harness.progress.some((p) => p.value > 1 / 3);
}

// Both ways a statement starts: on a libuv thread (`stream()`) and pending, polled (slots = 0).
for (const slots of ['8', '0']) {
  describe(`duckdb kill (threadpoolSlots=${slots})`, () => {
    let ec: TestSession;
    before(async () => {
      ec = await openTestSession({ 'duckdb.threadpoolSlots': slots, 'duckdb.progressIntervalMs': '10' });
      await ec.run('create table pairs as select range as n from range(200000)');
      const plan = JSON.stringify((await ec.run(`explain ${LONG_AGGREGATE}`)).resultSets[0]?.rows);
      assert.match(plan, /BLOCKWISE_NL_JOIN/, 'the long aggregate is a nested-loop join with a build side');
      assert.doesNotMatch(plan, /Condition: false/, 'its condition was not folded away');
    });
    after(() => ec.close());

    for (const [what, sql] of [
      ['a long aggregate', LONG_AGGREGATE],
      ['a long stream of rows', LONG_STREAM],
    ] as const) {
      test(`killing ${what} rejects as cancelled and the session runs the next query`, async () => {
        const { task: harness, done } = ec.start(`select 1; ${sql}; select 3`);
        // Killed once DuckDB really runs it, not merely once it was handed over.
        await waitFor(() => secondRunning(harness, sql), { what: 'statement 2 running in DuckDB' });
        harness.controller.abort();
        await assert.rejects(done, isCancelled());
        assert.deepEqual(harness.statements.started, [0, 1], 'statement 3 never starts');
        assert.ok(harness.logs.some((l) => /^statement 2\/3 cancelled after \d+ ms$/.test(l)));
        const next = await ec.run('select 42 as answer');
        assert.deepEqual(next.resultSets[0]?.rows, [[42]]);
      });
    }

    test('a task aborted before it starts runs nothing', async () => {
      const harness = ec.task('create table never_made(a int)');
      harness.controller.abort();
      await assert.rejects(ec.executor.execute(harness.context), isCancelled(/before statement 1\/1 started/));
      assert.deepEqual(harness.statements.started, []);
      const check = await ec.run("select count(*) from duckdb_tables() where table_name = 'never_made'");
      assert.deepEqual(check.resultSets[0]?.rows, [[0]]);
    });

    test('an abort between statements stops before the next one', async () => {
      const harness = ec.task('select 1; create table not_reached(a int)');
      const original = harness.context.createResultSet.bind(harness.context);
      // Abort while statement 1 writes its result, i.e. after its query finished.
      harness.context.createResultSet = async (spec) => {
        harness.controller.abort();
        return original(spec);
      };
      await assert.rejects(ec.executor.execute(harness.context), isCancelled());
      assert.deepEqual(harness.statements.started, [0]);
      const check = await ec.run("select count(*) from duckdb_tables() where table_name = 'not_reached'");
      assert.deepEqual(check.resultSets[0]?.rows, [[0]]);
    });

    test('a kill never leaves a short result looking complete', async () => {
      const { task: harness, done } = ec.start(LONG_STREAM);
      await waitFor(() => (harness.resultSets[0]?.rows.length ?? 0) > 0, { what: 'first rows' });
      harness.controller.abort();
      await assert.rejects(done, isCancelled());
      assert.equal(harness.resultSets[0]?.closed, false, 'the cut-off result set is not closed as complete');
    });

    test('killing one of two concurrent tasks leaves the other to finish', async () => {
      const victim = ec.start(LONG_AGGREGATE);
      const survivor = ec.start('select sum(range) as s from range(3000000)');
      await waitFor(() => victim.task.statements.started.length === 1, { what: 'victim to start' });
      victim.task.controller.abort();
      await assert.rejects(victim.done, isCancelled());
      await survivor.done;
      assert.deepEqual(survivor.task.resultSets[0]?.rows, [[4499998500000]]);
    });
  });
}
