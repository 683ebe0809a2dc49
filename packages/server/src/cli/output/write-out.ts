/**
 * Writes to `out` honouring back-pressure, so `engineconn results … > file` streams in bounded
 * memory. A reader that went away (`| head`) ends the output, not the command: the write resolves
 * once the stream closes, so `engineconn once` still finishes its job and reports it.
 */
export function writeTo(out: NodeJS.WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (out.destroyed || out.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** `writeTo` stdout. */
export function writeOut(chunk: string | Uint8Array): Promise<void> {
  return writeTo(process.stdout, chunk);
}
