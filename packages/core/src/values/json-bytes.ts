/**
 * The bytes of JSON syntax (and CSV's line ends) that the stored-row readers and writers look for,
 * named once. A hot loop binds the ones it uses to module-level consts
 * (`const { QUOTE } = JSON_BYTES;`) rather than importing them one by one: V8 folds a module's own
 * const into the compiled loop, while an imported binding is loaded from its module cell at each
 * use (a byte-scanning loop measured about a quarter slower that way).
 */
export const JSON_BYTES = {
  NEWLINE: 0x0a,
  CR: 0x0d,
  QUOTE: 0x22,
  COMMA: 0x2c,
  OPEN_BRACKET: 0x5b,
  BACKSLASH: 0x5c,
  CLOSE_BRACKET: 0x5d,
  /** The first byte of `null`. */
  LETTER_N: 0x6e,
  OPEN_BRACE: 0x7b,
  CLOSE_BRACE: 0x7d,
} as const;
