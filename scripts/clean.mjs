import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Removes every package's build output, so tests of deleted sources cannot linger in dist/.
const root = new URL('..', import.meta.url).pathname;
function clean(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (name === 'dist' || name.endsWith('.tsbuildinfo')) rmSync(path, { recursive: true, force: true });
    else if (statSync(path).isDirectory()) clean(path);
  }
}
clean(join(root, 'packages'));
