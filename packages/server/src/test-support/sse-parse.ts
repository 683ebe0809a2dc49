export interface ParsedSseEvent {
  id: number;
  event: string;
  data: unknown;
}

/** Parses complete SSE frames out of `text`; returns the events, the comments and the unparsed rest. */
export function parseSse(text: string): { events: ParsedSseEvent[]; comments: string[]; rest: string } {
  const events: ParsedSseEvent[] = [];
  const comments: string[] = [];
  const frames = text.split('\n\n');
  const rest = frames.pop() ?? '';
  for (const frame of frames) {
    let id = Number.NaN;
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = Number(line.slice(4));
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')) });
  }
  return { events, comments, rest };
}
