import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { registerDialect } from '../dialect.js';
import { pgModule } from '../pg-module.js';
import { type Database, openDatabase } from '../database.js';
import { type DB, tablesInDependencyOrder, WEBHOOK_OUTBOX_TABLE } from '../tables.js';
import { AppError } from '../../shared/errors.js';
import { countSqliteImageRows, readAllRows, replaceAllRows, restoreSqliteFile, restoreSqliteImage, type TableRows } from './world-rows.js';

/**
 * A frozen copy of a whole world: on SQLite the serialized database (one memcpy) or, for a big
 * one, a copy in a file; on PostgreSQL the rows of a small world, or for a bigger one a
 * schema of plain tables filled with `INSERT ... SELECT` on the server (no rows travel to Node).
 */
export type WorldImage =
  | { readonly kind: 'sqlite'; readonly bytes: Buffer }
  | { readonly kind: 'sqlite-file'; readonly path: string }
  | { readonly kind: 'pg-schema'; readonly schema: string }
  | { readonly kind: 'rows'; readonly rows: TableRows };

/** PostgreSQL: worlds up to this many rows are imaged in memory (no DDL, nothing left behind by a crash). */
const ROWS_IMAGE_LIMIT = 50_000;

/** How a dialect copies, restores and forks whole worlds. */
export interface WorldStorage {
  capture(database: Database): Promise<WorldImage>;
  /** One transaction: every row of `database` replaced by the image's. */
  restore(database: Database, image: WorldImage): Promise<void>;
  discard(image: WorldImage): Promise<void>;
  countRows(image: WorldImage): Promise<Record<string, number>>;
  /** A new, isolated database holding a copy of `database`'s rows. */
  fork(database: Database): Promise<Database>;
  /** Closes (or recycles) a database made by fork(). */
  release(database: Database): Promise<void>;
  close(): Promise<void>;
  readonly stats: { warmSchemas(): number };
}

export interface WorldStorageOptions {
  /** PostgreSQL forks open their schemas through this connection string */
  databaseUrl?: string | undefined;
  /** PostgreSQL: empty schemas kept ready for the next forks */
  warmForks?: number;
  /** SQLite: databases bigger than this are imaged to a file, not in memory (default SQLITE_IMAGE_MEMORY_BYTES) */
  sqliteImageMemoryBytes?: number | undefined;
}

export function createWorldStorage(main: Database, options: WorldStorageOptions = {}): WorldStorage {
  return main.dialect === 'sqlite' ? createSqliteStorage(main, { memoryLimitBytes: options.sqliteImageMemoryBytes }) : createPostgresStorage(main, options);
}

// ------------------------------------------------------------------------------------- SQLite

/** SQLite: databases up to this size are imaged in memory; bigger ones to a file (see createSqliteStorage). */
export const SQLITE_IMAGE_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * `.roster-images-<host>-<pid>-<random>`: the host name keeps processes of other machines or
 * containers sharing the folder (whose process ids mean nothing here) out of the sweep below.
 */
const IMAGE_FOLDER_PREFIX = `.roster-images-${hostname().replace(/[^A-Za-z0-9]/g, '_')}-`;

function withoutOutbox(database: Database): Database {
  database.sqlite?.prepare(`DELETE FROM "${WEBHOOK_OUTBOX_TABLE}"`).run();
  return database;
}

function sqliteHandle(database: Database): BetterSqlite3.Database {
  if (!database.sqlite) throw new Error('not a SQLite database');
  return database.sqlite;
}

/**
 * The database serialized into memory. A file in WAL mode says so in its header (bytes 18-19 = 2);
 * an in-memory copy has no WAL, and SQLite cannot open one that claims it (SQLITE_CANTOPEN), so the
 * copy is marked as a rollback-journal database (1, 1): the documented way to leave WAL offline.
 */
function serializeSqlite(handle: BetterSqlite3.Database): Buffer {
  const bytes = handle.serialize();
  if (bytes.length > 19 && bytes[18] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return bytes;
}

function sqliteBytes(handle: BetterSqlite3.Database): number {
  return Number(handle.pragma('page_count', { simple: true })) * Number(handle.pragma('page_size', { simple: true }));
}

/**
 * Image folders of this host's processes that are gone (killed before they could clean up) are
 * removed when a process makes its own folder in the same place.
 */
function sweepImageFolders(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(IMAGE_FOLDER_PREFIX)) continue;
    const pid = /^(\d+)-[^-]+$/.exec(name.slice(IMAGE_FOLDER_PREFIX.length))?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SQLite images. A small world is serialized into memory (one memcpy). A big one (more than
 * `memoryLimitBytes`) is copied page by page into a file with SQLite's backup API, so that
 * a reset baseline or a snapshot of a 1,000,000-user world (about 1 GB) costs disk, not the
 * process's memory. The files live in one folder per process, next to the database file (where
 * there is room for a copy of it), or in the OS temporary folder for in-memory databases; the
 * folder is removed at close, and a killed process's folder by the next process that makes one there.
 * Forks follow the same rule: a small world's fork is an in-memory database opened from the
 * serialized parent, a big world's a database file in that folder (a copy made the same way).
 */
function createSqliteStorage(main: Database, options: { memoryLimitBytes?: number | undefined }): WorldStorage {
  const memoryLimit = options.memoryLimitBytes ?? SQLITE_IMAGE_MEMORY_BYTES;
  let folder: string | undefined;
  let fileCounter = 0;
  /** forks of big worlds: live databases in files of the image folder */
  const forkFiles = new Map<Database, string>();

  function imageFolder(): string {
    if (folder !== undefined) return folder;
    const handle = sqliteHandle(main);
    const candidates = handle.memory ? [tmpdir()] : [dirname(handle.name), tmpdir()];
    let lastError: unknown;
    for (const parent of candidates) {
      try {
        sweepImageFolders(parent);
        folder = mkdtempSync(join(parent, `${IMAGE_FOLDER_PREFIX}${process.pid}-`));
        return folder;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** the whole database, as of one moment: the copy runs while this holds Kysely's connection (no transaction open) */
  async function backupToFile(database: Database): Promise<string> {
    const handle = sqliteHandle(database);
    fileCounter += 1;
    const path = join(imageFolder(), `image-${fileCounter}.db`);
    try {
      await database.kysely.connection().execute(() => handle.backup(path, { progress: () => 0x7fffffff }));
      // the copy carries the source's WAL mode; in rollback mode it can be opened read-only without side files
      const image = new BetterSqlite3(path);
      try {
        image.pragma('journal_mode = DELETE');
      } finally {
        image.close();
      }
    } catch (error) {
      removeDatabaseFiles(path);
      throw error;
    }
    return path;
  }

  /**
   * Restores an image file. Onto a database file: SQLite's backup API the other way round, the image
   * copied page by page over the file in one step (one write transaction of another connection:
   * all or nothing; this connection sees it as a change made elsewhere, its schema and page cache
   * reload, and its storage version moves), then the WAL checkpointed and truncated. A 1,000,000-
   * user world resets in seconds instead of the half minute of re-inserting every row. Onto an
   * in-memory database, or with another page size: rows copied inside SQLite (restoreSqliteFile).
   */
  async function copyFileOver(path: string, database: Database): Promise<void> {
    const handle = sqliteHandle(database);
    if (handle.memory) return restoreSqliteFile(path, database);
    const image = new BetterSqlite3(path, { readonly: true });
    try {
      if (image.pragma('page_size', { simple: true }) !== handle.pragma('page_size', { simple: true })) return restoreSqliteFile(path, database);
      await database.kysely.connection().execute(async () => {
        await image.backup(handle.name, { progress: () => 0x7fffffff });
        handle.pragma('wal_checkpoint(TRUNCATE)');
      });
    } finally {
      image.close();
    }
  }

  return {
    async capture(database) {
      const handle = sqliteHandle(database);
      if (sqliteBytes(handle) <= memoryLimit) return { kind: 'sqlite', bytes: serializeSqlite(handle) };
      return { kind: 'sqlite-file', path: await backupToFile(database) };
    },
    async restore(database, image) {
      if (image.kind === 'sqlite') return restoreSqliteImage(image.bytes, database);
      if (image.kind === 'sqlite-file') return copyFileOver(image.path, database);
      throw new Error('image from another dialect');
    },
    async discard(image) {
      if (image.kind === 'sqlite-file') removeDatabaseFiles(image.path);
    },
    async countRows(image) {
      if (image.kind === 'sqlite' || image.kind === 'sqlite-file') return countSqliteImageRows(image.kind === 'sqlite' ? image.bytes : image.path);
      throw new Error('image from another dialect');
    },
    async fork(database) {
      const handle = sqliteHandle(database);
      // a fork starts with its parent's rows and an empty webhook outbox (the outbox is not world state)
      if (sqliteBytes(handle) <= memoryLimit) return withoutOutbox(await openDatabase('sqlite::memory:', { sqliteImage: serializeSqlite(handle) }));
      const path = await backupToFile(database);
      try {
        const forked = withoutOutbox(await openDatabase(`sqlite:${path}`));
        forkFiles.set(forked, path);
        return forked;
      } catch (error) {
        removeDatabaseFiles(path);
        throw error;
      }
    },
    async release(database) {
      await database.close();
      const path = forkFiles.get(database);
      if (path !== undefined) {
        forkFiles.delete(database);
        removeDatabaseFiles(path);
      }
    },
    async close() {
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
      folder = undefined;
    },
    stats: { warmSchemas: () => 0 },
  };
}

// --------------------------------------------------------------------------------- PostgreSQL

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** pg's int8/numeric as JS numbers, as openDatabase() does. */
const int8Parser = (value: string): number => Number(value);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? int8Parser : pgModule().types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function createPostgresStorage(main: Database, options: WorldStorageOptions): WorldStorage {
  const tag = randomBytes(4).toString('hex');
  const created = new Set<string>(); // every schema this process made: dropped on close
  const warm: Database[] = [];
  let warmTarget = options.warmForks ?? 2;
  const maxWarm = Math.max(warmTarget, 8);
  let warming = 0;
  let closed = false;
  let sharedPool: pg.Pool | undefined;
  let mainSchema: string | undefined;
  let structure: Promise<{ tables: string[]; foreignKeys: { table: string; name: string; definition: string }[] }> | undefined;
  /** the schema each pooled connection's search_path points at */
  const clientSchema = new WeakMap<object, string>();
  const tables = tablesInDependencyOrder as readonly string[];
  const qualified = (schema: string, table: string) => `${quote(schema)}.${quote(table)}`;

  const newSchemaName = (kind: 'f' | 's') => `roster_${kind}_${tag}_${randomBytes(5).toString('hex')}`;

  /**
   * Schemas outlive a process that is killed. Each process holds a session advisory lock named
   * after its tag for as long as it lives (one connection of the main pool); at start-up, the
   * schemas of tags whose lock is free belong to dead processes and are dropped.
   */
  const lockKey = (t: string) => `roster-worlds:${t}`;
  let owner: Promise<() => Promise<void>> | undefined;
  function claim(): Promise<() => Promise<void>> {
    owner ??= new Promise((resolve, reject) => {
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const done = main.kysely
        .connection()
        .execute(async (conn) => {
          await sql`SELECT pg_advisory_lock(hashtext(${lockKey(tag)}))`.execute(conn);
          resolve(async () => {
            release();
            await done;
          });
          await held;
          await sql`SELECT pg_advisory_unlock(hashtext(${lockKey(tag)}))`.execute(conn).catch(() => undefined);
        })
        .catch(reject);
    });
    return owner.then(async (release) => {
      await sweepOrphans().catch(() => undefined);
      return release;
    });
  }
  let swept = false;
  async function sweepOrphans(): Promise<void> {
    if (swept) return;
    swept = true;
    const found = await sql<{ name: string }>`
      SELECT nspname AS name FROM pg_namespace WHERE nspname ~ '^roster_[fs]_[0-9a-f]{8}_[0-9a-f]{10}$'`.execute(main.kysely);
    const byTag = new Map<string, string[]>();
    for (const { name } of found.rows) {
      const t = name.split('_')[2] as string;
      if (t !== tag) byTag.set(t, [...(byTag.get(t) ?? []), name]);
    }
    for (const [t, schemas] of byTag) {
      await main.kysely.connection().execute(async (conn) => {
        const got = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(hashtext(${lockKey(t)})) AS ok`.execute(conn);
        if (got.rows[0]?.ok !== true) return; // its process is alive
        try {
          for (const schema of schemas) await sql.raw(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`).execute(conn);
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtext(${lockKey(t)}))`.execute(conn);
        }
      });
    }
  }

  async function schemaOf(database: Database): Promise<string> {
    if (database.pgSchema !== undefined) return database.pgSchema;
    if (database === main && mainSchema !== undefined) return mainSchema;
    const row = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(database.kysely);
    const schema = row.rows[0]?.s ?? 'public';
    if (database === main) mainSchema = schema;
    return schema;
  }

  function pool(): pg.Pool {
    if (options.databaseUrl === undefined) {
      throw new AppError('FORKS_UNAVAILABLE', 'Forks on PostgreSQL need the database URL (buildApp({ databaseUrl }))');
    }
    if (!sharedPool) {
      const url = new URL(options.databaseUrl);
      url.searchParams.delete('schema'); // Roster's own parameter (database.ts), not libpq's
      sharedPool = new (pgModule().Pool)({ connectionString: url.toString(), max: 10, idleTimeoutMillis: 5000, types: pgTypes });
      sharedPool.on('error', () => undefined);
    }
    return sharedPool;
  }

  /**
   * Runs a script of statements in one round trip and one transaction (BEGIN ... COMMIT inside),
   * on a connection of the given database; rolls back on failure so the connection stays usable.
   */
  async function runScript(database: Database, statements: string[], isolation = 'READ COMMITTED'): Promise<void> {
    const script = [`BEGIN ISOLATION LEVEL ${isolation}`, ...statements, 'COMMIT'].join(';\n');
    await database.kysely.connection().execute(async (conn) => {
      try {
        await sql.raw(script).execute(conn);
      } catch (error) {
        await sql.raw('ROLLBACK').execute(conn).catch(() => undefined);
        throw error;
      }
    });
  }

  /** The tables' definitions, read once from the main schema: what a fork schema is made of. */
  function readStructure() {
    structure ??= (async () => {
      const from = await schemaOf(main);
      const rows = await sql<{ table: string; name: string; definition: string }>`
        SELECT cl.relname AS "table", co.conname AS name, pg_get_constraintdef(co.oid) AS definition
        FROM pg_constraint co
        JOIN pg_class cl ON cl.oid = co.conrelid
        JOIN pg_namespace ns ON ns.oid = cl.relnamespace
        WHERE co.contype = 'f' AND ns.nspname = ${from}
        ORDER BY cl.relname, co.conname`.execute(main.kysely);
      const prefix = new RegExp(`(?:${quote(from).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|\\b${from})\\.`, 'g');
      return {
        tables: [...tables],
        // references are written unqualified so that they resolve inside the fork's own schema
        foreignKeys: rows.rows.map((r) => ({ ...r, definition: r.definition.replace(prefix, '') })),
      };
    })();
    structure.catch(() => {
      structure = undefined;
    });
    return structure;
  }

  /** A Database living in `schema`, over the one pool shared by every fork (connections stay bounded). */
  function schemaDatabase(schema: string): Database {
    const shared = pool();
    const bound = {
      async connect() {
        const client = await shared.connect();
        if (clientSchema.get(client) !== schema) {
          try {
            await client.query(`SET search_path TO ${quote(schema)}`);
          } catch (error) {
            client.release(error as Error);
            throw error;
          }
          clientSchema.set(client, schema);
        }
        return client;
      },
      async end() {},
    };
    const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: bound as unknown as pg.Pool }) });
    registerDialect(kysely, 'postgres');
    return { kysely, dialect: 'postgres', description: `${main.description} (schema ${schema})`, sqlite: undefined, pgSchema: schema, close: async () => {} };
  }

  /**
   * A new, empty schema with the main schema's tables: CREATE TABLE ... (LIKE ... INCLUDING ALL)
   * copies columns, defaults, checks and indexes; foreign keys are added from the main schema's
   * definitions. One round trip, far cheaper than running the migrations again.
   */
  async function makeWarmSchema(): Promise<Database> {
    await claim();
    const { foreignKeys } = await readStructure();
    const from = await schemaOf(main);
    const schema = newSchemaName('f');
    created.add(schema);
    const database = schemaDatabase(schema);
    try {
      await runScript(database, [
        `CREATE SCHEMA ${quote(schema)}`,
        `SET LOCAL search_path TO ${quote(schema)}`,
        ...tables.map((t) => `CREATE TABLE ${qualified(schema, t)} (LIKE ${qualified(from, t)} INCLUDING ALL)`),
        // the webhook outbox is not world state (never copied), but every world needs the table
        `CREATE TABLE ${qualified(schema, WEBHOOK_OUTBOX_TABLE)} (LIKE ${qualified(from, WEBHOOK_OUTBOX_TABLE)} INCLUDING ALL)`,
        ...foreignKeys.map((fk) => `ALTER TABLE ${qualified(schema, fk.table)} ADD CONSTRAINT ${quote(fk.name)} ${fk.definition}`),
      ]);
    } catch (error) {
      created.delete(schema);
      throw error;
    }
    return database;
  }

  function refill(): void {
    while (!closed && warm.length + warming < warmTarget) {
      warming += 1;
      makeWarmSchema()
        .then(async (database) => {
          if (closed) await dropSchema(database.pgSchema as string);
          else warm.push(database);
        })
        .catch(() => undefined)
        .finally(() => {
          warming -= 1;
        });
    }
  }

  /** Empties a schema's tables: DELETE for small worlds (much cheaper than TRUNCATE there), TRUNCATE for big ones. */
  async function clearStatements(database: Database, schema: string): Promise<string[]> {
    const estimate = await sql<{ n: number }>`
      SELECT coalesce(sum(greatest(cl.reltuples, 0)), 0)::float8 AS n
      FROM pg_class cl JOIN pg_namespace ns ON ns.oid = cl.relnamespace
      WHERE ns.nspname = ${schema} AND cl.relkind = 'r'`.execute(database.kysely);
    // the webhook outbox is not world state, but a recycled schema must not carry a deleted fork's queue
    const outbox = `DELETE FROM ${qualified(schema, WEBHOOK_OUTBOX_TABLE)}`;
    if (Number(estimate.rows[0]?.n ?? 0) > 50_000) return [outbox, `TRUNCATE ${tables.map((t) => qualified(schema, t)).join(', ')}`];
    return [outbox, ...[...tables].reverse().map((t) => `DELETE FROM ${qualified(schema, t)}`)];
  }

  const copyStatements = (from: string, to: string) => tables.map((t) => `INSERT INTO ${qualified(to, t)} SELECT * FROM ${qualified(from, t)}`);

  async function dropSchema(schema: string): Promise<void> {
    created.delete(schema);
    await sql.raw(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`).execute(main.kysely);
  }

  return {
    async capture(database) {
      const from = await schemaOf(database);
      const bounded = tables.map((t) => `(SELECT count(*) FROM (SELECT 1 FROM ${qualified(from, t)} LIMIT ${ROWS_IMAGE_LIMIT + 1}) AS x)`).join(' + ');
      const size = await sql.raw<{ n: number }>(`SELECT (${bounded})::int AS n`).execute(database.kysely);
      if (Number(size.rows[0]?.n ?? 0) <= ROWS_IMAGE_LIMIT) return { kind: 'rows', rows: await readAllRows(database.kysely, { repeatableRead: true }) };
      await claim();
      const schema = newSchemaName('s');
      created.add(schema);
      try {
        // plain tables (no indexes, no constraints): an image is only ever read whole
        await runScript(
          database,
          [
            `CREATE SCHEMA ${quote(schema)}`,
            ...tables.flatMap((t) => [`CREATE TABLE ${qualified(schema, t)} (LIKE ${qualified(from, t)})`, `INSERT INTO ${qualified(schema, t)} SELECT * FROM ${qualified(from, t)}`]),
          ],
          'REPEATABLE READ',
        );
      } catch (error) {
        created.delete(schema);
        throw error;
      }
      return { kind: 'pg-schema', schema };
    },
    async restore(database, image) {
      if (image.kind === 'rows') return replaceAllRows(database, image.rows);
      if (image.kind !== 'pg-schema') throw new Error('image from another dialect');
      const to = await schemaOf(database);
      await runScript(database, [...(await clearStatements(database, to)), ...copyStatements(image.schema, to)]);
    },
    async discard(image) {
      if (image.kind === 'pg-schema') await dropSchema(image.schema);
    },
    async countRows(image) {
      if (image.kind === 'rows') return Object.fromEntries(tables.map((t) => [t, image.rows[t as keyof TableRows].length]));
      if (image.kind !== 'pg-schema') throw new Error('image from another dialect');
      const union = tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${qualified(image.schema, t)}`).join(' UNION ALL ');
      const result = await sql.raw<{ t: string; n: number }>(union).execute(main.kysely);
      return Object.fromEntries(tables.map((t) => [t, Number(result.rows.find((r) => r.t === t)?.n ?? 0)]));
    },
    async fork(database) {
      const from = await schemaOf(database);
      let target = warm.shift();
      if (target === undefined) {
        // demand outran the pool: keep more ready from now on
        warmTarget = Math.min(maxWarm, warmTarget + 1);
        target = await makeWarmSchema();
      }
      refill();
      try {
        await runScript(target, copyStatements(from, target.pgSchema as string), 'REPEATABLE READ');
      } catch (error) {
        await dropSchema(target.pgSchema as string).catch(() => undefined);
        throw error;
      }
      return target;
    },
    async release(database) {
      const schema = database.pgSchema as string;
      if (!created.has(schema)) return;
      if (!closed && warm.length < maxWarm) {
        try {
          await runScript(database, await clearStatements(database, schema));
          warm.push(database);
          return;
        } catch {
          // fall through: drop it
        }
      }
      await dropSchema(schema);
    },
    async close() {
      closed = true;
      warm.length = 0;
      for (const schema of [...created]) await dropSchema(schema).catch(() => undefined);
      await sharedPool?.end().catch(() => undefined);
      sharedPool = undefined;
      if (owner) await (await owner.catch(() => async () => undefined))();
    },
    stats: { warmSchemas: () => warm.length },
  };
}
