// One WebSocket following every task of the caller (`subscribe "*"`).
import WebSocket from 'ws';
import { AUTH } from './client.mjs';

/**
 * Connects to `GET /api/v1/events`, subscribes to `*` and calls `onEvent(message, receivedAt)` for
 * every event. Resolves once the subscription is live: a probe task's `done` has come through it.
 */
export async function followAllTasks(base, onEvent, probeCode) {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/events`, { headers: AUTH });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let probeId = null;
  let probeDone;
  const probed = new Promise((resolve) => {
    probeDone = resolve;
  });
  socket.on('message', (raw) => {
    const receivedAt = Date.now();
    const message = JSON.parse(raw.toString());
    if (message.type !== 'event') return;
    if (message.taskId === probeId) {
      if (message.event === 'done') probeDone();
      return;
    }
    onEvent(message, receivedAt);
  });
  socket.send(JSON.stringify({ type: 'subscribe', taskId: '*' }));
  // The subscription is processed in order with later messages, but the probe is submitted over
  // HTTP: retry until one probe's events arrive through the socket.
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ code: probeCode }),
    });
    probeId = (await res.json()).id;
    const ok = await Promise.race([probed.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
    if (ok) break;
  }
  return {
    close() {
      socket.close();
    },
  };
}
