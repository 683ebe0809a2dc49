import type { ResultSetMeta, RowsPage, TextResult } from '@engineconn/protocol';

/*
 * What `readResult` and `TaskHandle.results()` give back: the protocol's pages, tagged with `kind`
 * so that one union holds the three answers of `GET /api/v1/tasks/:id/results/:index`.
 */

/** A page of a TABLE result set. `next` is null once the set is complete and this page reached its end. */
export type TablePage = { kind: 'table' } & RowsPage;

/** A page of a TEXT or HTML result set; `offset` and `next` count UTF-8 bytes. */
export type TextPage = { kind: 'text' } & TextResult;

/** A PICTURE result set: its bytes, which the API sends as they are (no JSON). */
export type BinaryPage = { kind: 'binary'; mimeType: string; bytes: Uint8Array };

export type ResultPage = TablePage | TextPage | BinaryPage;

/** One step of `TaskHandle.results()`: a page of rows, a text, or an image, with its result set. */
export type ResultChunk = ResultPage & { resultSet: ResultSetMeta };
