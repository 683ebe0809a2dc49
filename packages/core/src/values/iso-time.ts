/**
 * Date/time text as ISO-8601 (docs/api.md), from the text forms SQL engines print: `T` between date
 * and time, an offset as `±HH:MM` (`±HH:MM:SS` for the historic offsets of local mean time, which
 * minutes alone would shift), and years as astronomical years (`1 BC` is `0000`), those before 0 or
 * past 9999 in ISO's signed six-digit expanded form (`44 BC` is `-000043`), which `Date` parses. Text of any other shape (`infinity`, intervals) is the engine's own and stays.
 */

const SQL_DATE_TIME =
  /^(\d{4,})-(\d\d)-(\d\d)( \(BC\))?(?:[ T](\d\d:\d\d:\d\d(?:\.\d+)?))?([+-]\d\d(?::\d\d){0,2})?( BC)?$/;
const SQL_TIME_TZ = /^(\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::\d\d){0,2})$/;

/** An ISO year: four digits within 0000–9999, else a sign and at least six digits. */
export function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return (year < 0 ? '-' : '+') + String(Math.abs(year)).padStart(6, '0');
}

/** `+05` → `+05:00`; `+05:30` and `+05:30:15` stay. */
export function isoOffsetText(offset: string): string {
  return offset.length === 3 ? `${offset}:00` : offset;
}

/** A UTC offset in seconds as `±HH:MM`, or `±HH:MM:SS` when it has seconds. */
export function isoOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = abs % 60;
  return `${sign}${hh}:${mm}${ss === 0 ? '' : `:${String(ss).padStart(2, '0')}`}`;
}

/**
 * A SQL date or timestamp (`2024-01-02`, `2024-01-02 03:04:05.5`, `2024-01-02 03:04:05+05`,
 * DuckDB's `0044-03-15 (BC) 00:00:00`, PostgreSQL's `0044-03-15 00:00:00+00 BC`) as ISO-8601.
 */
export function isoDateTime(text: string): string {
  const m = SQL_DATE_TIME.exec(text);
  if (!m) return text;
  const [, y, month, day, duckBc, time, offset, pgBc] = m;
  const year = Number(y);
  let out = `${isoYear(duckBc || pgBc ? 1 - year : year)}-${month}-${day}`;
  if (time) out += `T${time}`;
  if (offset) out += isoOffsetText(offset);
  return out;
}

/** A time with time zone (`12:00:00+05`) with its offset as `±HH:MM`. */
export function isoTimeTz(text: string): string {
  const m = SQL_TIME_TZ.exec(text);
  return m ? `${m[1]}${isoOffsetText(m[2] as string)}` : text;
}
