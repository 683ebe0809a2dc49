/**
 * The shapes an engine hands to `ResultSetWriter.writeRows` for values plain JS cannot carry without
 * loss (docs/api.md). A JS object reorders integer-like keys, turns a `__proto__` key into its
 * prototype and keeps one of two equal names, so STRUCT and MAP values never travel as objects:
 * they are these classes, and `encodeValue` writes their JSON text with every field in order.
 */

/**
 * The field names of one STRUCT type, checked and JSON-escaped once per type rather than once per
 * value. A STRUCT whose names are all non-empty and distinct is a JSON object; otherwise an array of
 * `[name, value]` pairs, so no field is lost.
 */
export class StructShape {
  readonly names: readonly string[];
  /** True when the values are written as `[name, value]` pairs (a name is empty or repeated). */
  readonly asPairs: boolean;
  /** Per field, the JSON text before its value: `"name":` for an object, `["name",` for pairs. */
  readonly prefixes: readonly string[];

  constructor(names: readonly string[]) {
    this.names = [...names];
    const distinct = new Set(names);
    this.asPairs = distinct.size !== names.length || distinct.has('');
    this.prefixes = names.map((name) => (this.asPairs ? `[${JSON.stringify(name)},` : `${JSON.stringify(name)}:`));
  }
}

/** One STRUCT value: `values[i]` belongs to field `shape.names[i]`. */
export class StructValue {
  constructor(
    readonly shape: StructShape,
    readonly values: readonly unknown[],
  ) {}
}

/** A STRUCT from `[name, value]` entries, for engines that meet a struct's names only with its value. */
export function structOf(entries: readonly (readonly [string, unknown])[]): StructValue {
  return new StructValue(
    new StructShape(entries.map(([name]) => name)),
    entries.map(([, value]) => value),
  );
}

/** One MAP value, written as `[[key, value], …]` in the engine's order: keys of any type, none lost. */
export class MapValue {
  constructor(
    readonly keys: readonly unknown[],
    readonly values: readonly unknown[],
  ) {}
}

/**
 * A value already encoded as JSON text by the engine (for one that writes JSON straight from its own
 * buffers); it is copied into the row as it is (line breaks between tokens become spaces), so it must
 * be valid JSON that follows the value rules of docs/api.md.
 */
export class JsonText {
  constructor(readonly text: string) {}
}
