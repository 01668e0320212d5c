import { type Kysely, type Migration, sql } from 'kysely';
import { AppError } from '../shared/errors.js';
import type { Database } from './database.js';
import * as m0001 from './migrations/2026-11-29-0001-initial-schema.js';
import * as m0002 from './migrations/2026-12-07-0002-management-api.js';
import * as m0003 from './migrations/2026-12-07-0003-webhooks.js';

/**
 * Our own small migrator over the frozen migrations: each run is one transaction, serialized per
 * schema (a PostgreSQL advisory lock; SQLite's write lock), with the applied names in
 * `roster_migrations`. It never introspects the catalogue: Kysely's Migrator lists the tables of
 * every schema, which fails when another schema is dropped at the same moment (per-test and
 * per-fork schemas come and go all the time on a shared PostgreSQL database).
 */
const migrations: Record<string, Migration> = {
  '2026-11-29-0001-initial-schema': m0001,
  '2026-12-07-0002-management-api': m0002,
  '2026-12-07-0003-webhooks': m0003,
};

export const migrationNames = Object.keys(migrations).sort();

type Target = Pick<Database, 'kysely' | 'dialect' | 'pgSchema'>;

// biome-ignore lint/suspicious/noExplicitAny: migrations work on Kysely<any> by design (frozen in time, no app types)
async function withMigrationLock<T>(database: Target, work: (trx: Kysely<any>, applied: string[]) => Promise<T>): Promise<T> {
  // biome-ignore lint/suspicious/noExplicitAny: the same Kysely<any> the migrations take
  const db = database.kysely as unknown as Kysely<any>;
  try {
    return await db.transaction().execute(async (trx) => {
      if (database.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`roster-migrations:${database.pgSchema ?? ''}`}))`.execute(trx);
      }
      await sql`create table if not exists roster_migrations (name varchar(255) primary key, applied_at bigint not null)`.execute(trx);
      const rows = await trx.selectFrom('roster_migrations').select('name').orderBy('name').execute();
      return work(trx, rows.map((r: { name: string }) => r.name));
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INTERNAL', `Migration failed: ${(error as Error).message}`);
  }
}

/** Applies every pending migration in name order; returns the names applied. */
export async function migrateToLatest(database: Target): Promise<string[]> {
  return withMigrationLock(database, async (trx, applied) => {
    const done = new Set(applied);
    const pending = migrationNames.filter((name) => !done.has(name));
    for (const name of pending) {
      await (migrations[name] as Migration).up(trx);
      await trx.insertInto('roster_migrations').values({ name, applied_at: Date.now() }).execute();
    }
    return pending;
  });
}

/** Reverts every applied migration, newest first; returns the names reverted. */
export async function migrateDownAll(database: Target): Promise<string[]> {
  return withMigrationLock(database, async (trx, applied) => {
    const reverted = [...applied].reverse();
    for (const name of reverted) {
      const migration = migrations[name];
      if (!migration?.down) throw new AppError('INTERNAL', `Migration ${name} is unknown to this version or has no down step`);
      await migration.down(trx);
      await trx.deleteFrom('roster_migrations').where('name', '=', name).execute();
    }
    await sql`drop table roster_migrations`.execute(trx);
    return reverted;
  });
}
