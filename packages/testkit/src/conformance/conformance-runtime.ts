import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Caller, EngineConnRuntime, TaskEvent, TaskInfo, TaskView } from '@engineconn/core';
import { startTestRuntime } from '../runtime/test-runtime.js';
import type { ConformanceSpec, ProbeContext } from './conformance-spec.js';

export const OWNER: Caller = { user: 'conformance', admin: false };

/**
 * Runtime options the suite starts every EngineConn with, under the spec's own: a short shutdown
 * grace so the close test reaches the kill at once, and no idle release in the middle of a test.
 * The kill grace only bounds a hang: the kill test fails if the backstop had to end the task, and
 * a busy machine must not make a real, engine-confirmed stop look like one.
 */
const SUITE_OPTIONS: Readonly<Record<string, string>> = {
  'ec.killGrace': '10s',
  'ec.shutdownGrace': '100ms',
  'ec.maxFreeTime': '0',
};

/** A started EngineConn for one test, shut down and its data directory removed after the test. */
export interface OpenRuntime<S> {
  readonly runtime: EngineConnRuntime;
  readonly session: S;
  readonly probe: ProbeContext;
  submit(code: string): TaskView;
}

export function newMarker(prefix = 'ec'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export async function openRuntime<S>(
  spec: Pick<ConformanceSpec<S>, 'plugin' | 'executor' | 'runType'>,
  options: Record<string, string>,
  t: TestContext,
): Promise<OpenRuntime<S>> {
  const ec = await startTestRuntime({
    plugin: spec.plugin,
    id: newMarker('ec-conformance-'),
    user: OWNER.user,
    ...(spec.executor ? { executor: spec.executor } : {}),
    options: { ...SUITE_OPTIONS, ...options },
  });
  t.after(() => ec.close());
  const runType = spec.runType ?? spec.plugin.runTypes[0];
  return {
    runtime: ec.runtime,
    session: ec.runtime.session as S,
    probe: { marker: newMarker(), runtime: ec.runtime },
    submit: (code) => ec.submit(code, { runType }),
  };
}

export interface FinishedTask {
  info: TaskInfo;
  events: TaskEvent[];
}

/** Follows the task's journal to its `done` event. */
export async function finish(view: TaskView): Promise<FinishedTask> {
  const events: TaskEvent[] = [];
  for await (const event of view.journal.follow(0)) events.push(event);
  return { info: view.info(), events };
}

/** Every row of a TABLE result set, read in small pages so paging is exercised too. */
export async function readTable(view: TaskView, index: number, pageSize = 2): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await view.results.readRows(index, offset, pageSize);
    rows.push(...page.rows);
    if (page.next !== null && page.next === offset) throw new Error(`result set ${index} stalled at row ${offset}`);
    offset = page.next;
  }
  return rows;
}

export async function readLog(view: TaskView): Promise<string[]> {
  const lines: string[] = [];
  for (let from = 0; ; ) {
    const page = await view.readLogs(from, 1000);
    lines.push(...page.lines);
    if (page.lines.length === 0 || page.next === from) return lines;
    from = page.next;
  }
}

/** Everything a task produced, as text: its log, then each result set (rows as JSON). */
export async function readAllOutput(view: TaskView): Promise<string> {
  const parts = await readLog(view);
  for (const meta of view.results.list()) {
    if (meta.type === 'TABLE') parts.push(JSON.stringify(await readTable(view, meta.index, 1000)));
    else if (meta.type !== 'PICTURE') parts.push((await view.results.readContent(meta.index)).toString('utf8'));
  }
  return parts.join('\n');
}
