import type { SelectQueryBuilder, Transaction } from 'kysely';
import type { Database, DialectName } from './database.js';
import { isRetryableConflict } from './db-errors.js';
import type { DB } from './tables.js';

/**
 * One transaction, retried (up to three attempts in all) when PostgreSQL reports a serialization
 * failure or a deadlock; SQLite runs one transaction at a time on its connection and never needs to.
 * `work` must be safe to run again: everything it wrote was rolled back.
 */
export async function runInTransaction<T>(database: Database, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await database.kysely.transaction().execute(work);
    } catch (error) {
      if (attempt < 3 && isRetryableConflict(error)) continue;
      throw error;
    }
  }
}

/**
 * The rows a query reads, locked until the transaction ends: `FOR UPDATE` on PostgreSQL; on SQLite
 * the transaction already holds the database (one writer, one connection) and the query is unchanged.
 */
export function lockedForUpdate<O, T extends keyof DB & string>(
  dialect: DialectName,
  query: SelectQueryBuilder<DB, T, O>,
): SelectQueryBuilder<DB, T, O> {
  return dialect === 'postgres' ? query.forUpdate() : query;
}
