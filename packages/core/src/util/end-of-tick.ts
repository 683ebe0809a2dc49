let queue: (() => void)[] = [];
let scheduled = false;

function runQueue(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  for (const fn of batch) {
    try {
      fn();
    } catch (err) {
      // As from its own setImmediate: an uncaught error, without stopping the others queued.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/**
 * Runs `fn` in the check phase of this event-loop turn, as `setImmediate(fn)` would, but with one
 * immediate for everything queued in the turn: every task's log batch and progress were published
 * through an immediate of their own, several per trivial task.
 */
export function atEndOfTick(fn: () => void): void {
  queue.push(fn);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runQueue);
  }
}
