import { describeIssues, type ManagerReportEvent, type ManagerReports } from '@engineconn/protocol';
import { MANAGER_REPORT_SCHEMAS } from '@engineconn/protocol/manager';
import { BadRequestError } from '../errors/errors.js';

/**
 * The manager's end: validates a received report against its schema. Throws a BadRequestError
 * (EC_BAD_REQUEST) naming the offending fields, so a manager can answer 400 with it.
 */
export function parseManagerReport<K extends ManagerReportEvent>(event: K, body: unknown): ManagerReports[K] {
  const parsed = MANAGER_REPORT_SCHEMAS[event].safeParse(body);
  if (!parsed.success) throw new BadRequestError(`Invalid ${event} report: ${describeIssues(parsed.error)}.`);
  return parsed.data as ManagerReports[K];
}
