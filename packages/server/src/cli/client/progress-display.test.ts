import { test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { createProgressDisplay } from './progress-display.js';

/** Enough of a terminal for cli-progress: it records what is drawn. */
function fakeTerminal(): NodeJS.WriteStream & { drawn: string } {
  const term = {
    isTTY: true,
    columns: 120,
    drawn: '',
    write(chunk: string) {
      term.drawn += chunk;
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
    on: () => term,
    removeListener: () => term,
  };
  return term as unknown as NodeJS.WriteStream & { drawn: string };
}

test('a running task without progress shows a sweeping bar with its elapsed time, not a frozen 0%', async () => {
  const term = fakeTerminal();
  const display = createProgressDisplay(term, 't-1');
  display.status('Running');
  display.progress(0);
  await waitFor(() => /t-1 \S+ \d+s \| Running/.test(term.drawn), { timeoutMs: 5000, what: 'the elapsed time drawn' });
  term.drawn = '';
  display.progress(0.5);
  await waitFor(() => /t-1 \S+\s+50% \| Running/.test(term.drawn), { timeoutMs: 5000, what: 'a real percentage' });
  display.stop();
});
