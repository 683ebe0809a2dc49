import { execFile } from 'node:child_process';
import { type NativeValue, type PostgresServer, runValueFidelitySuite, startPostgres } from '@engineconn/testkit';
import { POSTGRES_CORPUS } from '@engineconn/testkit/corpus';
import { postgresEngine } from './postgres-engine.js';

const ZONE = "SET TimeZone = 'America/New_York'";
/** What psql prints for SQL NULL here (`-P null=`), so it is not mistaken for an empty string. */
const NULL_MARK = '<<NULL>>';

/**
 * `psql -At` on every expression, then `\gdesc` for its type, in one session: each record ends with
 * a zero byte (`-0`), which no PostgreSQL text value can hold.
 */
function psql(url: string, sqls: readonly string[]): Promise<NativeValue[]> {
  const script = `${ZONE};\n${sqls.map((sql) => `select ${sql} as v \\g\nselect ${sql} as v \\gdesc\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'psql',
      ['-X', '-q', '-At', '-0', '-v', 'ON_ERROR_STOP=1', '-P', `null=${NULL_MARK}`, '-d', url],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`psql failed: ${stderr || err.message}`));
        const records = stdout.split('\0');
        resolve(
          sqls.map((_, i) => {
            const text = records[2 * i] as string;
            return { text: text === NULL_MARK ? null : text, type: (records[2 * i + 1] as string).replace(/^v\|/, '') };
          }),
        );
      },
    );
    child.stdin?.end(script);
  });
}

let server: PostgresServer;

runValueFidelitySuite({
  plugin: postgresEngine,
  before: async () => {
    server = await startPostgres();
  },
  after: () => server?.stop(),
  options: () => ({ 'postgres.url': server.url }),
  setup: [ZONE],
  cases: POSTGRES_CORPUS,
  native: (cases) =>
    psql(
      server.url,
      cases.map((c) => c.sql),
    ),
});
