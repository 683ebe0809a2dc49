import { proc, runConformanceSuite } from '@engineconn/testkit';
import { pythonEngine } from './python-engine.js';

/** The interpreter is busy while it burns CPU: the long sample is a pure-Python loop, an idle one reads a pipe. */
const interpreterBusy = (pid: number | undefined) =>
  pid === undefined ? Promise.resolve(false) : proc.burnsCpu(() => proc.readStat(pid)?.cpuTicks ?? 0);

runConformanceSuite({
  plugin: pythonEngine,
  results: {
    code: 'show_table([[1, "a"], [2, "b"]], columns=["n", "label"])\n40 + 2',
    expect: [
      {
        type: 'TABLE',
        columns: ['n', 'label'],
        rows: [
          [1, 'a'],
          [2, 'b'],
        ],
      },
      { type: 'TEXT', text: '42' },
    ],
  },
  logs: {
    code: 'for i in range(1, 6):\n    print(f"line {i}")',
    lines: ['line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
  },
  multi: { code: 'a = 1\nprint("one")\nb = a + 1\nprint("two")' },
  fail: { code: 'x = 1\nraise ValueError("bad value 42")', message: /ValueError: bad value 42/ },
  long: {
    code: 'n = 0\nwhile True:\n    n += 1',
    isWorkRunning: (session) => interpreterBusy(session.pid),
  },
  isReleased: async (session) => {
    const pid = session.pid;
    return pid !== undefined && !proc.isAlive(pid) && proc.livePidsInGroup(pid).length === 0;
  },
});
