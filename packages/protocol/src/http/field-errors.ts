import type { z } from 'zod';

/*
 * The wording of a schema's complaints: what a caller reads in a 400 EC_BAD_REQUEST, shared by the
 * HTTP routes and the WebSocket so that both name the offending field the same way.
 */

export const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`;

export const bodyError = (issue: { input?: unknown }) =>
  issue.input === undefined ? 'a JSON object body is required' : 'must be a JSON object';

/** At most three problems, each naming its field: `'code' is required; unknown field 'lok'`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      const path = issue.path.map(String).join('.');
      return path ? `'${path}' ${issue.message}` : issue.message;
    })
    .join('; ');
}
