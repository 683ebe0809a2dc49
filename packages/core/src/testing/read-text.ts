/** The whole of a stream of text chunks (a result set streamed as CSV, NDJSON or raw text), joined. */
export async function readText(stream: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk;
  return out;
}
