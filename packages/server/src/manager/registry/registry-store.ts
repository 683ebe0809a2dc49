import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { EngineRecord } from './engine-record.js';
import type { JobRecord } from './job-record.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS engines (id TEXT PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, engine_id TEXT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS jobs_engine ON jobs (engine_id);
`;

/**
 * The registry holds every engine's owner token and report secret, and the data dir is 0711 so the
 * engines' users reach their own directories below it: a registry readable by others would hand any
 * local user (or any user's task) every engine. The file is created 0600 before SQLite opens it, as
 * SQLite gives the -wal and -shm files it creates the database's mode; ones left by an older manager
 * are tightened too.
 */
function privateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

/**
 * The registry on disk: embedded SQLite in the manager's data dir, so a manager that restarts on
 * the same address (after a crash too) knows every engine it launched and can re-adopt or bury it.
 * Records are kept as JSON documents; the manager reads them all at start and writes each change
 * through, in WAL mode so a heartbeat costs one small append.
 */
export class RegistryStore {
  readonly #db: BetterSqlite3.Database;
  readonly #putEngine: BetterSqlite3.Statement<[string, string]>;
  readonly #deleteEngine: BetterSqlite3.Statement<[string]>;
  readonly #putJob: BetterSqlite3.Statement<[string, string, string]>;
  readonly #deleteJobsOf: BetterSqlite3.Statement<[string]>;
  #closed = false;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o711 });
    // better-sqlite3 is CommonJS with a native binding; required only by a manager.
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const file = join(dataDir, 'registry.sqlite');
    privateFile(file);
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#putEngine = this.#db.prepare('INSERT OR REPLACE INTO engines (id, record) VALUES (?, ?)');
    this.#deleteEngine = this.#db.prepare('DELETE FROM engines WHERE id = ?');
    this.#putJob = this.#db.prepare('INSERT OR REPLACE INTO jobs (id, engine_id, record) VALUES (?, ?, ?)');
    this.#deleteJobsOf = this.#db.prepare('DELETE FROM jobs WHERE engine_id = ?');
  }

  engines(): EngineRecord[] {
    return this.#db
      .prepare<[], { record: string }>('SELECT record FROM engines')
      .all()
      .map((row) => JSON.parse(row.record) as EngineRecord);
  }

  jobs(): JobRecord[] {
    return this.#db
      .prepare<[], { record: string }>('SELECT record FROM jobs')
      .all()
      .map((row) => JSON.parse(row.record) as JobRecord);
  }

  putEngine(record: EngineRecord): void {
    if (!this.#closed) this.#putEngine.run(record.id, JSON.stringify(record));
  }

  /** Forgets an engine and its jobs (it released itself, or was stopped). */
  deleteEngine(id: string): void {
    if (this.#closed) return;
    this.#db.transaction(() => {
      this.#deleteEngine.run(id);
      this.#deleteJobsOf.run(id);
    })();
  }

  putJob(record: JobRecord): void {
    if (!this.#closed) this.#putJob.run(record.id, record.engineId, JSON.stringify(record));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
