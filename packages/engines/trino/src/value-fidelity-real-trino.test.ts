// The value-fidelity suite against a real Trino 476 (the run's shared throwaway server). The
// "native" side is Trino's client protocol itself: each value exactly as the coordinator sends it.
import { test } from 'node:test';
import { acquireTestTrino, caseQuery, runValueFidelitySuite } from '@engineconn/testkit';
import { TRINO_CORPUS } from '@engineconn/testkit/corpus';
import { parse, stringify } from 'lossless-json';
import { ClientSession } from './protocol/client-session.js';
import { trinoEngine } from './trino-engine.js';

const trino = await acquireTestTrino();

/** One statement's first cell and column type, straight off the wire (every digit kept). */
async function wireCell(url: string, sql: string): Promise<{ text: string | null; type: string }> {
  const headers = new ClientSession({ user: 'value-fidelity', source: 'value-fidelity' }).headers();
  let res = await fetch(`${url}/v1/statement`, { method: 'POST', headers, body: sql });
  let type = '';
  let cell: unknown;
  for (;;) {
    const page = parse(await res.text()) as {
      nextUri?: string;
      columns?: { type: string }[];
      data?: unknown[][];
      error?: { message: string };
    };
    if (page.error) throw new Error(`${sql}: ${page.error.message}`);
    type ||= page.columns?.[0]?.type ?? '';
    if (page.data?.length && cell === undefined) cell = page.data[0]?.[0];
    if (!page.nextUri) break;
    res = await fetch(String(page.nextUri), { headers });
  }
  const text = cell === null || cell === undefined ? null : typeof cell === 'string' ? cell : (stringify(cell) ?? null);
  return { text, type };
}

if (trino.skip !== undefined) {
  test('trino value fidelity against a real Trino', { skip: trino.skip }, () => {});
} else {
  const url = trino.url;
  runValueFidelitySuite({
    plugin: trinoEngine,
    options: { 'trino.server': url },
    after: () => trino.release(),
    cases: TRINO_CORPUS,
    async native(cases) {
      const out = [];
      for (const c of cases) out.push(await wireCell(url, caseQuery(c)));
      return out;
    },
  });
}
