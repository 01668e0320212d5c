import type { Transaction } from 'kysely';
import type { Database } from './database.js';
import { isRetryableConflict } from './db-errors.js';
import type { DB } from './tables.js';
import { IN_TRANSACTION } from './tenant-ledger.js';
import { requestMemo } from '../shared/request-scope.js';

/**
 * One transaction, retried (up to three attempts in all) when PostgreSQL reports a serialization
 * failure or a deadlock; SQLite runs one transaction at a time on its connection and never needs to.
 * `work` must be safe to run again: everything it wrote was rolled back.
 */
export async function runInTransaction<T>(database: Database, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  // the request's read caches cannot tell what its own open transaction changed (tenant-ledger.ts)
  const memo = requestMemo();
  const outer = memo?.get(IN_TRANSACTION);
  memo?.set(IN_TRANSACTION, true);
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await database.kysely.transaction().execute(work);
      } catch (error) {
        if (attempt < 3 && isRetryableConflict(error)) continue;
        throw error;
      }
    }
  } finally {
    if (outer === undefined) memo?.delete(IN_TRANSACTION);
  }
}
