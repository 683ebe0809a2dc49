import { proc, runConformanceSuite } from '@engineconn/testkit';
import { shellEngine } from './shell-engine.js';

/** Every process of the long task carries this variable, so /proc shows what is still running. */
const MARK = 'CONFORMANCE_MARK';

runConformanceSuite({
  plugin: shellEngine,
  results: { code: "printf 'alpha\\nbeta\\n'", expect: [{ type: 'TEXT', text: 'alpha\nbeta\n' }] },
  logs: {
    code: 'for i in 1 2 3 4 5; do echo "line $i"; done',
    lines: ['line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
  },
  multi: { code: 'echo one; sleep 0.02; echo two; sleep 0.02; echo three' },
  fail: { code: 'echo "no such table: t" >&2; exit 3', message: /exited with code 3[\s\S]*no such table: t/ },
  long: {
    // A background child, one that left the process group, and the shell itself waiting.
    code: (marker) => `export ${MARK}=${marker}; sleep 600 & setsid sleep 600 & sleep 600; wait`,
    isWorkRunning: async (_session, _task, { marker }) => proc.livePidsWithEnv(MARK, marker).length > 0,
  },
  concurrent: { code: (marker) => `for i in 1 2 3; do echo "${marker} $i"; sleep 0.05; done` },
  isReleased: async (session, { marker }) =>
    session.groups.size === 0 && proc.livePidsWithEnv(MARK, marker).length === 0,
});
