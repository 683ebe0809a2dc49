/**
 * Commander's own errors (an unknown flag, a value outside choices(), one an argParser refused) in
 * the CLI's form: `engineconn: <what> [EC_CONFIG_INVALID]`, exit 1, like every other bad flag.
 * `start` prefixes `failed to start: `, the line a manager reads from an engine's log to learn why
 * it did not start.
 */
export function usageErrorOutput(prefix = ''): (text: string, write: (text: string) => void) => void {
  return (text, write) => write(`engineconn: ${prefix}${text.replace(/^error: /, '').trimEnd()} [EC_CONFIG_INVALID]\n`);
}
