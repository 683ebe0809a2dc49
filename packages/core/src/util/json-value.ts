export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function hasOwnToString(value: object): boolean {
  const print = (value as { toString?: unknown }).toString;
  return typeof print === 'function' && print !== Object.prototype.toString;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

function keyOf(key: unknown, seen: WeakSet<object>): string {
  if (typeof key === 'string') return key;
  const converted = convert(key, seen);
  return typeof converted === 'string' ? converted : JSON.stringify(converted);
}

function convert(value: unknown, seen: WeakSet<object>): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint': {
      const asNumber = Number(value);
      return Number.isSafeInteger(asNumber) ? asNumber : String(value);
    }
    case 'undefined':
    case 'function':
      return null;
    case 'symbol':
      return value.toString();
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (obj instanceof Uint8Array) return Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64');
  if (obj instanceof ArrayBuffer) return Buffer.from(obj).toString('base64');
  if (obj instanceof DataView) return Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64');
  if (seen.has(obj)) return '[Circular]';
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return Array.from(obj, (item) => convert(item, seen));
    if (ArrayBuffer.isView(obj)) return Array.from(obj as unknown as ArrayLike<unknown>, (item) => convert(item, seen));
    if (obj instanceof Set) return Array.from(obj, (item) => convert(item, seen));
    if (obj instanceof Map) {
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of obj) out[keyOf(key, seen)] = convert(item, seen);
      return out;
    }
    if (!isPlainObject(obj)) {
      // Class instances that know how to print themselves (DuckDB decimals, intervals, UUIDs, …).
      if (hasOwnToString(obj)) return String(obj);
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return convert(toJSON.call(obj), seen);
    }
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(obj)) out[key] = convert(item, seen);
    return out;
  } finally {
    seen.delete(obj);
  }
}

/**
 * Turns an engine value into one JSON can carry without loss or a throw: bigints become numbers when
 * exact and strings otherwise, dates ISO strings, bytes base64, NaN and ±Infinity strings, Maps objects,
 * Sets arrays, class instances with their own `toString` their printed form, undefined null. A value
 * that contains itself prints `[Circular]` at the repeat.
 */
export function toJsonValue(value: unknown): JsonValue {
  return convert(value, new WeakSet());
}
