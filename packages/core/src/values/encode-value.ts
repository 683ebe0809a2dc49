import { bytesCell, floatCell, integerCell } from './cells.js';
import { JsonText, MapValue, StructValue } from './wire-values.js';

/** Objects being encoded right now, outermost first: a value that contains itself prints `[Circular]`. */
const active: object[] = [];

/** True when `value` is a JSON scalar that `JSON.stringify` writes as docs/api.md wants it. */
function isPlainScalar(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // -0 fails `1 / value > 0`; NaN and ±Infinity fail isFinite.
      return value === 0 ? 1 / value > 0 : Number.isFinite(value);
    default:
      return value === null;
  }
}

/** Lists nest this deep before the fast check gives up and the cells are encoded one by one. */
const PLAIN_DEPTH = 4;

/** True when JSON.stringify writes the whole array as the value rules want: plain scalars and lists of them. */
function isPlainArray(values: readonly unknown[], depth = PLAIN_DEPTH): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (isPlainScalar(value)) continue;
    if (depth > 0 && Array.isArray(value) && isPlainArray(value, depth - 1)) continue;
    return false;
  }
  return true;
}

function hasOwnToString(value: object): boolean {
  const print = (value as { toString?: unknown }).toString;
  return typeof print === 'function' && print !== Object.prototype.toString;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

function encodeList(items: Iterable<unknown>): string {
  let out = '[';
  let first = true;
  for (const item of items) {
    out += first ? encodeValue(item) : `,${encodeValue(item)}`;
    first = false;
  }
  return `${out}]`;
}

function encodeStruct(struct: StructValue): string {
  const { prefixes, asPairs } = struct.shape;
  const { values } = struct;
  let out = asPairs ? '[' : '{';
  for (let i = 0; i < prefixes.length; i++) {
    if (i > 0) out += ',';
    out += prefixes[i] + encodeValue(values[i]);
    if (asPairs) out += ']';
  }
  return out + (asPairs ? ']' : '}');
}

function encodePairs(keys: readonly unknown[], values: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += `[${encodeValue(keys[i])},${encodeValue(values[i])}]`;
  }
  return `${out}]`;
}

function encodeObject(obj: object): string {
  if (obj instanceof StructValue) return encodeStruct(obj);
  if (obj instanceof MapValue) return encodePairs(obj.keys, obj.values);
  // Line breaks in valid JSON are whitespace between tokens; a stored row must stay one line.
  if (obj instanceof JsonText) return /[\r\n]/.test(obj.text) ? obj.text.replace(/[\r\n]+/g, ' ') : obj.text;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'null' : JSON.stringify(obj.toISOString());
  if (obj instanceof Uint8Array) return JSON.stringify(bytesCell(obj));
  if (obj instanceof ArrayBuffer) return JSON.stringify(bytesCell(new Uint8Array(obj)));
  if (obj instanceof DataView)
    return JSON.stringify(bytesCell(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength)));
  if (Array.isArray(obj) && isPlainArray(obj)) return JSON.stringify(obj);
  if (active.includes(obj)) return '"[Circular]"';
  active.push(obj);
  try {
    if (Array.isArray(obj)) return encodeList(obj);
    if (ArrayBuffer.isView(obj)) return encodeList(obj as unknown as Iterable<unknown>);
    if (obj instanceof Set) return encodeList(obj);
    if (obj instanceof Map) return encodePairs([...obj.keys()], [...obj.values()]);
    if (!isPlainObject(obj)) {
      // Class instances that know how to print themselves (decimals, intervals, UUIDs, …).
      if (hasOwnToString(obj)) return JSON.stringify(String(obj));
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return encodeValue(toJSON.call(obj));
    }
    let out = '{';
    let first = true;
    for (const key of Object.keys(obj)) {
      out += `${first ? '' : ','}${JSON.stringify(key)}:${encodeValue((obj as Record<string, unknown>)[key])}`;
      first = false;
    }
    return `${out}}`;
  } finally {
    active.pop();
  }
}

/**
 * The JSON text of one cell by docs/api.md: integers (bigint) exact — a number within ±(2^53 − 1),
 * else a string of digits; floats numbers, but `NaN`, `Infinity`, `-Infinity`, `-0` strings; bytes
 * base64; a `Date` its ISO instant; arrays, Sets and typed arrays arrays; `StructValue` an object in
 * field order (or `[name, value]` pairs); `MapValue` and `Map` `[key, value]` pairs; `JsonText` as it
 * is; other objects their own keys, or their own `toString()` / `toJSON()`; undefined null.
 */
export function encodeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number': {
      const cell = floatCell(value);
      return typeof cell === 'number' ? String(cell) : `"${cell}"`;
    }
    case 'bigint': {
      const cell = integerCell(value);
      return typeof cell === 'number' ? String(cell) : `"${cell}"`;
    }
    case 'symbol':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
      return 'null';
  }
  return value === null ? 'null' : encodeObject(value as object);
}

/** True when `encodeRow(row)` is `JSON.stringify(row)`: its cells are plain scalars and lists of them. */
export function isPlainRow(row: readonly unknown[]): boolean {
  return isPlainArray(row);
}

/**
 * One stored TABLE row: the JSON array of its cells, each by `encodeValue`. A row of plain strings,
 * booleans, nulls, finite numbers other than -0 and lists of them goes through `JSON.stringify` at
 * once (the common case, and the fast one).
 */
export function encodeRow(row: readonly unknown[]): string {
  if (isPlainRow(row)) return JSON.stringify(row);
  let out = '[';
  for (let i = 0; i < row.length; i++) out += (i > 0 ? ',' : '') + encodeValue(row[i]);
  return `${out}]`;
}
