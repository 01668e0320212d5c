import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { registerDialect } from './dialect.js';
import { PG_XID_SQL, registerPreparedText, withNamedStatements } from './pg-statements.js';
import { createPgLedger, registerPgLedger } from './tenant-ledger.js';
import { RosterSqliteDialect, withStatementCache } from './sqlite-statements.js';
import { pgModule } from './pg-module.js';
import { AppError } from '../shared/errors.js';
import type { DB } from './tables.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * One open database. Everything above the storage layer sees only `kysely` (and, for hot paths
 * that want raw speed on SQLite, `sqlite`). Reset, snapshot and fork stay possible on both engines
 * because all state lives in these tables.
 */
export interface Database {
  readonly kysely: Kysely<DB>;
  readonly dialect: DialectName;
  /** The URL without credentials, safe to log. */
  readonly description: string;
  /** The raw better-sqlite3 handle (SQLite only). */
  readonly sqlite: BetterSqlite3.Database | undefined;
  /** The PostgreSQL schema this database lives in (PostgreSQL only). */
  readonly pgSchema: string | undefined;
  /** PostgreSQL: `pg_current_snapshot()` as text, straight on the pool (see readStorageVersion) */
  readonly pgSnapshot?: () => Promise<string>;
  close(): Promise<void>;
}

export interface ParsedDatabaseUrl {
  dialect: DialectName;
  /** SQLite: file path or ':memory:'. PostgreSQL: the connection string. */
  target: string;
  description: string;
}

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    if (rest === ':memory:' || rest === '') return { dialect: 'sqlite', target: ':memory:', description: 'sqlite::memory:' };
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path.length === 0) throw new AppError('BAD_REQUEST', `Invalid database URL "${url}": no file path`);
    return { dialect: 'sqlite', target: path, description: `sqlite:${path}` };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError('BAD_REQUEST', 'Invalid database URL: not a valid postgres:// URL');
    }
    if (!parsed.hostname) throw new AppError('BAD_REQUEST', 'Invalid database URL: no host');
    const safe = new URL(url);
    if (safe.password) safe.password = '***';
    return { dialect: 'postgres', target: url, description: safe.toString() };
  }
  throw new AppError(
    'BAD_REQUEST',
    `Invalid database URL "${url.slice(0, 80)}": expected sqlite:PATH, sqlite::memory: or postgres://user@host:port/db`,
  );
}

const int8Parser = (value: string): number => Number(value);

export interface OpenDatabaseOptions {
  /** PostgreSQL: put every table in this schema (created if missing). Used for per-test and per-fork isolation. */
  pgSchema?: string;
  /** PostgreSQL pool size (default 10). */
  pgPoolSize?: number;
  /** SQLite: open an in-memory copy of this serialized database instead of `target`. */
  sqliteImage?: Buffer;
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const parsed = parseDatabaseUrl(url);
  if (parsed.dialect === 'sqlite') return openSqlite(parsed, options);
  return openPostgres(parsed, options);
}

function openSqlite(parsed: ParsedDatabaseUrl, options: OpenDatabaseOptions): Database {
  let handle: BetterSqlite3.Database;
  if (options.sqliteImage) {
    handle = new BetterSqlite3(options.sqliteImage);
  } else {
    if (parsed.target !== ':memory:') mkdirSync(dirname(parsed.target), { recursive: true });
    try {
      handle = new BetterSqlite3(parsed.target);
    } catch (error) {
      throw new AppError('BAD_REQUEST', `Cannot open SQLite database ${parsed.description}: ${(error as Error).message}`);
    }
    if (parsed.target !== ':memory:') handle.pragma('journal_mode = WAL');
  }
  handle.pragma('foreign_keys = ON');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('busy_timeout = 5000');
  withoutPlanSamples(handle);
  const kysely = new Kysely<DB>({ dialect: new RosterSqliteDialect({ database: withStatementCache(handle) }) });
  registerDialect(kysely, 'sqlite', handle);
  return {
    kysely,
    dialect: 'sqlite',
    description: parsed.description,
    sqlite: handle,
    pgSchema: undefined,
    async close() {
      await kysely.destroy();
      if (handle.open) handle.close();
    },
  };
}

/**
 * Removes SQLite's STAT4 samples (`sqlite_stat4`, which `ANALYZE` or `PRAGMA optimize` write in this
 * build of SQLite), keeping the per-index statistics of `sqlite_stat1`. With samples, a prepared
 * statement whose plan could depend on a bound value is marked expired whenever that value is bound
 * again, and re-prepared on its next run: Roster prepares its hot statements once and binds them per
 * request, and on the mixed bench's analysed database (issue #16) re-preparing was half of all
 * SQLite time. Roster's statements are lookups on unique or leading index columns, which stat1
 * plans as well. Nothing happens on a database without samples (the usual case: Roster never
 * analyses); a file it cannot write keeps its samples.
 */
function withoutPlanSamples(handle: BetterSqlite3.Database): void {
  if (handle.readonly) return;
  const table = handle.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4'").get();
  if (table === undefined || handle.prepare('SELECT 1 FROM sqlite_stat4 LIMIT 1').get() === undefined) return;
  try {
    // ANALYZE sqlite_schema: the connection loads the statistics tables again (without the samples)
    handle.exec('BEGIN IMMEDIATE; DELETE FROM sqlite_stat4; ANALYZE sqlite_schema; COMMIT');
  } catch {
    // a file it cannot write to now keeps its samples: statements are then only slower
    if (handle.inTransaction) handle.exec('ROLLBACK');
  }
}

async function openPostgres(parsed: ParsedDatabaseUrl, options: OpenDatabaseOptions): Promise<Database> {
  // `?schema=name` in the URL puts Roster's tables in that schema (created if missing)
  const url = new URL(parsed.target);
  const schemaParam = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  parsed = { ...parsed, target: url.toString() };
  let schema = options.pgSchema ?? schemaParam;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new AppError('BAD_REQUEST', `Invalid PostgreSQL schema name "${schema}"`);
  }
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 || oid === 1700 ? int8Parser : pgModule().types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  if (schema !== undefined) {
    const client = new (pgModule().Client)({ connectionString: parsed.target });
    try {
      await client.connect();
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new AppError('BAD_REQUEST', `Cannot connect to PostgreSQL at ${parsed.description}: ${(error as Error).message}`);
    }
    await client.end();
  }
  const pool = new (pgModule().Pool)({
    connectionString: parsed.target,
    max: options.pgPoolSize ?? 10,
    types,
    ...(schema !== undefined ? { options: `-c search_path="${schema}"` } : {}),
  });
  // an idle client that loses its connection must not crash the process
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new AppError('BAD_REQUEST', `Cannot connect to PostgreSQL at ${parsed.description}: ${(error as Error).message}`);
  }
  if (schema === undefined) {
    // the migrator must know the schema it works in (Kysely otherwise looks across all schemas)
    const result = await pool.query<{ schema: string }>('select current_schema() as schema');
    schema = result.rows[0]?.schema ?? 'public';
  }
  // per-tenant versions (tenant-ledger.ts): the pool tells it of this process's undeclared writes
  const ledger = createPgLedger();
  const kysely = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: withNamedStatements(pool, { unexplainedWrite: () => ledger.unexplainedWrite() }) }),
  });
  registerPreparedText(PG_XID_SQL);
  // ILIKE folds with the database's lower(): read models may fold ASCII text in memory only where it folds A-Z as ASCII does
  const folded = await pool.query<{ ok: boolean }>("SELECT lower('ABCDEFGHIJKLMNOPQRSTUVWXYZ') = 'abcdefghijklmnopqrstuvwxyz' AS ok");
  registerDialect(kysely, 'postgres', undefined, folded.rows[0]?.ok === true);
  const database: Database = {
    kysely,
    dialect: 'postgres',
    description: parsed.description,
    sqlite: undefined,
    pgSchema: schema,
    // a named (prepared) statement on the pool: one round trip, no query building
    pgSnapshot: async () => (await pool.query<{ s: string }>({ name: 'roster_snapshot', text: 'SELECT pg_current_snapshot()::text AS s' })).rows[0]?.s ?? '',
    async close() {
      await kysely.destroy();
    },
  };
  registerPgLedger(database, ledger);
  return database;
}

/** Drops a PostgreSQL schema and everything in it (a schema made for one server, test or fork). */
export async function dropPgSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new AppError('BAD_REQUEST', `Invalid PostgreSQL schema name "${schema}"`);
  const target = new URL(url);
  target.searchParams.delete('schema');
  const client = new (pgModule().Client)({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
