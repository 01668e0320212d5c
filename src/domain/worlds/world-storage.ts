import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type Database, openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrator.js';
import { type DB, tablesInDependencyOrder } from '../../db/tables.js';
import { AppError } from '../../shared/errors.js';
import { countSqliteImageRows, readSqliteImageRows, replaceAllRows } from './world-rows.js';

/**
 * A frozen copy of a whole world: on SQLite the serialized database (one memcpy), on PostgreSQL a
 * schema of plain tables filled with `INSERT ... SELECT` on the server (no rows travel to Node).
 */
export type WorldImage = { readonly kind: 'sqlite'; readonly bytes: Buffer } | { readonly kind: 'pg-schema'; readonly schema: string };

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

export function createWorldStorage(main: Database, options: { databaseUrl?: string | undefined; warmForks?: number } = {}): WorldStorage {
  return main.dialect === 'sqlite' ? createSqliteStorage() : createPostgresStorage(main, options);
}

// ------------------------------------------------------------------------------------- SQLite

function createSqliteStorage(): WorldStorage {
  const serialize = (database: Database): Buffer => {
    if (!database.sqlite) throw new Error('not a SQLite database');
    return database.sqlite.serialize();
  };
  return {
    async capture(database) {
      return { kind: 'sqlite', bytes: serialize(database) };
    },
    async restore(database, image) {
      if (image.kind !== 'sqlite') throw new Error('image from another dialect');
      await replaceAllRows(database, readSqliteImageRows(image.bytes));
    },
    async discard() {},
    async countRows(image) {
      if (image.kind !== 'sqlite') throw new Error('image from another dialect');
      return countSqliteImageRows(image.bytes);
    },
    async fork(database) {
      return openDatabase('sqlite::memory:', { sqliteImage: serialize(database) });
    },
    async release(database) {
      await database.close();
    },
    async close() {},
    stats: { warmSchemas: () => 0 },
  };
}

// --------------------------------------------------------------------------------- PostgreSQL

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** pg's int8/numeric as JS numbers, as openDatabase() does. */
const int8Parser = (value: string): number => Number(value);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? int8Parser : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function createPostgresStorage(main: Database, options: { databaseUrl?: string | undefined; warmForks?: number }): WorldStorage {
  const tag = randomBytes(4).toString('hex');
  const created = new Set<string>(); // every schema this process made: dropped on close
  const warm: Database[] = [];
  const warmTarget = options.warmForks ?? 2;
  const maxWarm = Math.max(warmTarget, 8);
  let warming = 0;
  let closed = false;
  let sharedPool: pg.Pool | undefined;
  let mainSchema: string | undefined;
  /** the schema each pooled connection's search_path points at */
  const clientSchema = new WeakMap<object, string>();

  const newSchemaName = (kind: 'f' | 's') => `roster_${kind}_${tag}_${randomBytes(5).toString('hex')}`;

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
      sharedPool = new pg.Pool({ connectionString: url.toString(), max: 10, idleTimeoutMillis: 5000, types: pgTypes });
      sharedPool.on('error', () => undefined);
    }
    return sharedPool;
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
    return { kysely, dialect: 'postgres', description: `${main.description} (schema ${schema})`, sqlite: undefined, pgSchema: schema, close: async () => {} };
  }

  async function makeWarmSchema(): Promise<Database> {
    const schema = newSchemaName('f');
    created.add(schema);
    await sql.raw(`CREATE SCHEMA ${quote(schema)}`).execute(main.kysely);
    const database = schemaDatabase(schema);
    await migrateToLatest(database);
    return database;
  }

  function refill(): void {
    while (warm.length + warming < warmTarget) {
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

  async function copyInto(db: Kysely<DB>, from: string, to: string, truncate: boolean): Promise<void> {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        if (truncate) await sql.raw(`TRUNCATE ${tablesInDependencyOrder.map((t) => `${quote(to)}.${quote(t)}`).join(', ')}`).execute(trx);
        for (const table of tablesInDependencyOrder) {
          await sql.raw(`INSERT INTO ${quote(to)}.${quote(table)} SELECT * FROM ${quote(from)}.${quote(table)}`).execute(trx);
        }
      });
  }

  async function dropSchema(schema: string): Promise<void> {
    created.delete(schema);
    await sql.raw(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`).execute(main.kysely);
  }

  return {
    async capture(database) {
      const from = await schemaOf(database);
      const schema = newSchemaName('s');
      created.add(schema);
      try {
        await database.kysely
          .transaction()
          .setIsolationLevel('repeatable read')
          .execute(async (trx) => {
            await sql.raw(`CREATE SCHEMA ${quote(schema)}`).execute(trx);
            for (const table of tablesInDependencyOrder) {
              await sql.raw(`CREATE TABLE ${quote(schema)}.${quote(table)} (LIKE ${quote(from)}.${quote(table)})`).execute(trx);
              await sql.raw(`INSERT INTO ${quote(schema)}.${quote(table)} SELECT * FROM ${quote(from)}.${quote(table)}`).execute(trx);
            }
          });
      } catch (error) {
        created.delete(schema);
        throw error;
      }
      return { kind: 'pg-schema', schema };
    },
    async restore(database, image) {
      if (image.kind !== 'pg-schema') throw new Error('image from another dialect');
      await copyInto(database.kysely, image.schema, await schemaOf(database), true);
    },
    async discard(image) {
      if (image.kind === 'pg-schema') await dropSchema(image.schema);
    },
    async countRows(image) {
      if (image.kind !== 'pg-schema') throw new Error('image from another dialect');
      const out: Record<string, number> = {};
      for (const table of tablesInDependencyOrder) {
        const r = await sql.raw<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(image.schema)}.${quote(table)}`).execute(main.kysely);
        out[table] = Number(r.rows[0]?.n ?? 0);
      }
      return out;
    },
    async fork(database) {
      const from = await schemaOf(database);
      const target = warm.shift() ?? (await makeWarmSchema());
      refill();
      try {
        await copyInto(target.kysely, from, target.pgSchema as string, false);
      } catch (error) {
        await dropSchema(target.pgSchema as string).catch(() => undefined);
        throw error;
      }
      return target;
    },
    async release(database) {
      const schema = database.pgSchema as string;
      if (!created.has(schema)) return;
      if (warm.length < maxWarm) {
        try {
          await sql.raw(`TRUNCATE ${tablesInDependencyOrder.map((t) => `${quote(schema)}.${quote(t)}`).join(', ')}`).execute(database.kysely);
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
    },
    stats: { warmSchemas: () => warm.length },
  };
}
