// The conformance suite against a real Trino 476 (the testkit's throwaway server, shared by the
// run). The probes ask the coordinator itself (system.runtime.queries) whether the long query runs
// and, after a kill or a shutdown, that it ended USER_CANCELED. Skipped, saying why, without Java
// 24+ or Maven.
import { test } from 'node:test';
import { acquireTestTrino, runConformanceSuite } from '@engineconn/testkit';
import { coordinatorQueries, marker } from './test-support/real-trino.js';
import { trinoConformanceSpec } from './test-support/trino-conformance.js';

const trino = await acquireTestTrino();

if (trino.skip !== undefined) {
  test('conformance against a real Trino', { skip: trino.skip }, () => {});
} else {
  const url = trino.url;
  // The memory catalog outlives one run's tables: a table of this run's own.
  const table = `memory.default.conformance_${marker('t')}`;
  runConformanceSuite(
    trinoConformanceSpec(
      { name: table, drop: true },
      {
        after: () => trino.release(),
        options: { 'trino.server': url },
        fail: { code: 'SELECT 1;\nSELEC 2', message: /mismatched input 'SELEC'.*statement 2 of 2, line 2, column 1/ },
        long: {
          code: (m) => `SELECT count(*) FROM tpch.sf1000.lineitem WHERE comment <> 'long_${m}'`,
          isWorkRunning: async (_session, _task, { marker: m }) =>
            (await coordinatorQueries(url, `long_${m}`)).some((q) => q.state === 'RUNNING' || q.state === 'QUEUED'),
          // A loaded machine: planning and the first splits of a Trino query can take seconds.
          startWithinMs: 60_000,
        },
        concurrent: { code: (m) => `SELECT '${m}' AS marker, count(*) FROM tpch.tiny.orders` },
        testTimeoutMs: 180_000,
        // Nothing of the long query is left on the coordinator: it ended cancelled by our DELETE.
        isReleased: async (_session, { marker: m }) => {
          const queries = await coordinatorQueries(url, `long_${m}`);
          return queries.length > 0 && queries.every((q) => q.state === 'FAILED' && q.errorCode === 'USER_CANCELED');
        },
      },
    ),
  );
}
