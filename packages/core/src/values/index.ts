// Values in results (docs/api.md): also the '@engineconn/core/values' entry, for a process (such as
// SQLite's database child) that encodes cells without loading the rest of core.
export { bytesCell, float32Cell, floatCell, integerCell } from './cells.js';
export { encodeRow, encodeValue } from './encode-value.js';
export { isoDateTime, isoOffset, isoOffsetText, isoTimeTz, isoYear } from './iso-time.js';
export { JSON_BYTES } from './json-bytes.js';
export { rowCells } from './row-cells.js';
export { JsonText, MapValue, StructShape, StructValue, structOf } from './wire-values.js';
