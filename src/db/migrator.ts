import { type Kysely, type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely';
import { AppError } from '../shared/errors.js';
import * as m0001 from './migrations/2026-11-29-0001-initial-schema.js';
import type { DB } from './tables.js';

/** Migrations are listed statically so a build ships them; names are date-prefixed and sort in order. */
const migrations: Record<string, Migration> = {
  '2026-11-29-0001-initial-schema': m0001,
};

function createMigrator(db: Kysely<DB>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

function check(result: MigrationResultSet, what: string): string[] {
  if (result.error) {
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new AppError('INTERNAL', `Migration ${what} failed: ${message}`);
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  return check(await createMigrator(db).migrateToLatest(), 'up');
}

export async function migrateDownAll(db: Kysely<DB>): Promise<string[]> {
  return check(await createMigrator(db).migrateTo(NO_MIGRATIONS), 'down');
}

export const migrationNames = Object.keys(migrations);
