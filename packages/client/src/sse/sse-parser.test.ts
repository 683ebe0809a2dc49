import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSseStream, type SseMessage, SseParser } from './sse-parser.js';

function parseAll(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe('SseParser', () => {
  test('parses id, event and data, and keeps the last id across events', () => {
    const events = parseAll(['id: 1\nevent: status\ndata: {"a":1}\n\n', 'event: log\ndata: x\n\n']);
    assert.deepEqual(events, [
      { id: '1', event: 'status', data: '{"a":1}' },
      { id: '1', event: 'log', data: 'x' },
    ]);
  });

  test('joins multi-line data with newlines and defaults the event name to message', () => {
    assert.deepEqual(parseAll(['data: one\ndata:two\ndata:  three\n\n']), [
      { id: '', event: 'message', data: 'one\ntwo\n three' },
    ]);
  });

  test('treats CRLF, LF and CR as line ends, also when CRLF is split across chunks', () => {
    const events = parseAll(['id: 7\r', '\nevent: a\rdata: x\r\n\r', '\nid: 8\ndata: y\n\n']);
    assert.deepEqual(events, [
      { id: '7', event: 'a', data: 'x' },
      { id: '8', event: 'message', data: 'y' },
    ]);
  });

  test('handles events split at every possible character boundary', () => {
    const text = 'id: 12\nevent: progress\ndata: {"progress":0.5}\n\n: comment\nid: 13\nevent: done\ndata: {}\n\n';
    for (let size = 1; size <= text.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.deepEqual(
        parseAll(chunks),
        [
          { id: '12', event: 'progress', data: '{"progress":0.5}' },
          { id: '13', event: 'done', data: '{}' },
        ],
        `chunk size ${size}`,
      );
    }
  });

  test('ignores comments, unknown fields, ids with NUL, and events without data', () => {
    const events = parseAll([': ping\n\nfoo: bar\nid\nevent: x\n\nid: a\0b\ndata\n\n']);
    // `id` with no value sets the id to empty; `data` with no colon is an empty data line.
    assert.deepEqual(events, [{ id: '', event: 'message', data: '' }]);
  });

  test('strips a leading BOM, reads retry, and discards an unterminated event at the end', () => {
    const parser = new SseParser();
    const events = parser.push('\uFEFFretry: 2500\ndata: a\n\ndata: unfinished');
    parser.end();
    assert.deepEqual(events, [{ id: '', event: 'message', data: 'a' }]);
    assert.equal(parser.retry, 2500);
  });

  test('parseSseStream decodes multi-byte characters split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: h\u00e9llo \u{1F600}\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const out: SseMessage[] = [];
    for await (const message of parseSseStream(stream)) out.push(message);
    assert.deepEqual(out, [{ id: '1', event: 'message', data: 'h\u00e9llo \u{1F600}' }]);
  });

  test('breaking out of parseSseStream cancels the underlying stream', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of parseSseStream(stream)) break;
    assert.equal(cancelled, true);
  });
});
