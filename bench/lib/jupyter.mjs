// Runs the Jupyter peer (bench/lib/jupyter_peer.py) with Debian's python3 and jupyter_client.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./jupyter_peer.py', import.meta.url));
export const JUPYTER_PYTHON = '/usr/bin/python3';

export function runJupyterPeer(mode, count, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    execFile(JUPYTER_PYTHON, [PEER, mode, String(count)], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new Error(
            `the Jupyter peer failed (${err.message.split('\n')[0]}); install it with ` +
              `'apt-get install -y python3-ipykernel python3-jupyter-client': ${stderr.slice(-500)}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}
