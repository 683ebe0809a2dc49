// The errors of a result file that no longer holds what was written to it. Rows are stored whole
// and read back only up to what was committed, so malformed text or missing bytes mean the file was
// changed from outside: the operator is told which file, not handed a bare SyntaxError.
import { ResultCorruptError } from '../errors/errors.js';

/** The part of a result set these errors name. */
interface StoredSet {
  readonly file: string;
  readonly index: number;
}

/** A stored row that did not parse (a SyntaxError from reading it); any other error is passed on. */
export function corruptRows(set: StoredSet, err: unknown): unknown {
  if (!(err instanceof SyntaxError)) return err;
  return new ResultCorruptError(set, `a stored row is not valid JSON (${err.message})`, { cause: err });
}

/** The file ends before the rows or bytes committed to it. */
export function shortFile(set: StoredSet): ResultCorruptError {
  return new ResultCorruptError(set, 'its file is shorter than what was written to it');
}

/** A stored row whose bytes no longer start and end as written, or do not start where the index says. */
export function damagedRow(set: StoredSet, row: number): ResultCorruptError {
  return new ResultCorruptError(set, `row ${row} does not start or end where and as it was written`);
}
