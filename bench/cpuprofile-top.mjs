// `node bench/cpuprofile-top.mjs FILE.cpuprofile [N]`: the top frames of a `node --cpu-prof` profile
// by self time, and self time summed per package/file, to see where an EngineConn's CPU goes.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [N]\n');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(url) {
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const p = /packages\/(.+?)\/(?:dist|src)\/(.+)$/.exec(url);
  if (p) return `${p[1]}:${p[2]}`;
  return url.replace(/^node:/, 'node:').replace(/^file:\/\//, '');
}

const frames = new Map();
const files = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf.url)}:${cf.lineNumber + 1}`;
  frames.set(key, (frames.get(key) ?? 0) + us);
  const f = where(cf.url).replace(/:.*$/, '');
  files.set(f, (files.get(f) ?? 0) + us);
}
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
process.stdout.write(`total sampled ${(total / 1000).toFixed(0)} ms\n\ntop frames by self time\n`);
for (const [key, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${pct(us)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
}
process.stdout.write('\nself time by package or file\n');
for (const [key, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${pct(us)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
}
