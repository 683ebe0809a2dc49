// The builds and environments an A/B script alternates, named on its command line as
// `NAME=ENV[,ENV…][@BIN]`: e.g. `pool4=UV_THREADPOOL_SIZE=4 base=@/path/to/other/bin/engineconn.cjs`.

/** `{name, env, bin}` for each `NAME=ENV[,ENV…][@BIN]` (bin undefined: this checkout's). */
export function parseVariants(specs) {
  return specs.map((spec) => {
    const [name, rest = ''] = spec.split(/=(.*)/s);
    const [envs, bin] = rest.split('@');
    const env = Object.fromEntries(
      envs
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split(/=(.*)/s)),
    );
    return { name, env, bin: bin || undefined };
  });
}
