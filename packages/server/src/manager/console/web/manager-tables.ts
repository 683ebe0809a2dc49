import type { Engine, JobSummary } from '@engineconn/protocol';
import { byId, clockTime, statusPill, tableRow } from '../../../console/web/shared/dom.js';

function tbody(tableId: string): HTMLTableSectionElement {
  const body = byId(tableId, HTMLTableElement).tBodies[0];
  if (!body) throw new Error(`The console page has no body in #${tableId}: reload the page.`);
  return body;
}

/** The caller's engines (an admin's: everyone's); a Lost engine's pill says why. */
export function showEngines(engines: readonly Engine[]): void {
  tbody('engine-table').replaceChildren(
    ...engines.map((e) =>
      tableRow([
        e.id,
        e.user,
        `${e.engineType} (${e.executor})`,
        statusPill(e.status, e.lostReason),
        statusPill(e.health),
        e.running,
        e.queued,
        clockTime(e.lastHeartbeatAt),
      ]),
    ),
  );
  byId('no-engines', HTMLElement).hidden = engines.length > 0;
}

/** The caller's jobs, newest first; a job still running has no status in the list yet. */
export function showJobs(jobs: readonly JobSummary[]): void {
  tbody('job-table').replaceChildren(
    ...jobs.map((j) => tableRow([j.id, j.engineId, statusPill(j.status ?? 'Running'), clockTime(j.createdAt)])),
  );
  byId('no-jobs', HTMLElement).hidden = jobs.length > 0;
}
