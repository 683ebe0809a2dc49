/** Polls `predicate` until it is truthy or the deadline passes (no fixed sleeps in tests). */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  {
    // A deadline only bites when the condition never comes; a busy machine needs a generous one.
    timeoutMs = 30_000,
    intervalMs = 10,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
