// Small statistics helpers.

export function percentile(values, q) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const median = (values) => percentile(values, 0.5);

export const round = (value, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value) ? value : Number(value.toFixed(digits));

export const mib = (bytes) => (bytes === null ? null : round(bytes / 1024 / 1024, 1));

/** Runs `fn` `times` times, one after the other, and returns the elapsed milliseconds of each. */
export async function timeEach(times, fn) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}
