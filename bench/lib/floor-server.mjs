// A server that answers `POST /api/v1/tasks?wait=…` with a one-request answer of the size and shape
// an EngineConn sends for `select 1`, and does nothing else: the floor of the HTTP layer's cost per
// request (bench/http-floor.mjs). `node bench/lib/floor-server.mjs node|fastify` prints its port.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const kind = process.argv[2];

/** The answer an EngineConn gives for `select 1 as one`, with a fresh id and times per request. */
function answer() {
  const id = `t-${randomBytes(9).toString('base64url')}`;
  const now = new Date().toISOString();
  return {
    id,
    body: JSON.stringify({
      id,
      owner: 'root',
      status: 'Succeed',
      runType: 'sql',
      progress: 1,
      progressInfo: [{ id: 'statements', totalTasks: 1, runningTasks: 0, failedTasks: 0, succeedTasks: 1 }],
      statements: { total: 1, current: 1 },
      createdAt: now,
      startedAt: now,
      finishedAt: now,
      resultSets: [
        {
          index: 0,
          type: 'TABLE',
          columns: [{ name: 'one', type: 'INTEGER' }],
          rowCount: 1,
          byteCount: 0,
          complete: true,
        },
      ],
      labels: {},
      logLines: 2,
      results: [
        { index: 0, type: 'TABLE', columns: [{ name: 'one', type: 'INTEGER' }], rows: [[1]], offset: 0, next: null },
      ],
    }),
  };
}

async function nodeServer() {
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      if (text) JSON.parse(text);
      const { id, body } = answer();
      res.writeHead(200, {
        'x-content-type-options': 'nosniff',
        location: `/api/v1/tasks/${id}`,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 72_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

async function fastifyServer() {
  const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
  const Fastify = require('fastify');
  const app = Fastify({ logger: false });
  app.post('/api/v1/tasks', async (_request, reply) => {
    const { id, body } = answer();
    return reply
      .header('x-content-type-options', 'nosniff')
      .header('location', `/api/v1/tasks/${id}`)
      .type('application/json; charset=utf-8')
      .send(body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

const port = kind === 'fastify' ? await fastifyServer() : await nodeServer();
process.stdout.write(`${port}\n`);
