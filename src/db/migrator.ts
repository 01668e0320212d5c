import { type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely';
import { AppError } from '../shared/errors.js';
import * as m0001 from './migrations/2026-11-29-0001-initial-schema.js';
import type { Database } from './database.js';

/** Migrations are listed statically so a build ships them; names are date-prefixed and sort in order. */
const migrations: Record<string, Migration> = {
  '2026-11-29-0001-initial-schema': m0001,
};

/**
 * On PostgreSQL the migration bookkeeping tables live in the database's own schema: Kysely looks
 * them up across all schemas otherwise, and per-test / per-fork schemas would see each other's.
 */
function createMigrator(database: Pick<Database, 'kysely' | 'pgSchema'>): Migrator {
  return new Migrator({
    db: database.kysely,
    provider: { getMigrations: async () => migrations },
    ...(database.pgSchema !== undefined ? { migrationTableSchema: database.pgSchema } : {}),
  });
}

function check(result: MigrationResultSet, what: string): string[] {
  if (result.error) {
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new AppError('INTERNAL', `Migration ${what} failed: ${message}`);
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

export async function migrateToLatest(database: Pick<Database, 'kysely' | 'pgSchema'>): Promise<string[]> {
  return check(await createMigrator(database).migrateToLatest(), 'up');
}

export async function migrateDownAll(database: Pick<Database, 'kysely' | 'pgSchema'>): Promise<string[]> {
  return check(await createMigrator(database).migrateTo(NO_MIGRATIONS), 'down');
}

export const migrationNames = Object.keys(migrations);
