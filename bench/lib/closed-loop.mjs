/**
 * Runs `one()` from `clients` concurrent loops, each calling it again once its last call settled,
 * until `ms` passed; returns how many calls completed. A failed call rejects the run.
 */
export async function closedLoop(clients, ms, one) {
  let calls = 0;
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        await one();
        calls++;
      }
    }),
  );
  return calls;
}
