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
  // SQLite: the transaction starts in a turn of the event loop of its own (a setImmediate callback,
  // after which Node runs only the microtasks it queued), so it runs to its end before any other
  // request's code runs: its statements are in process and its steps resolve at once, but requests
  // released together (after one shared storage reading) ran between them, and while it was open
  // every cache check of theirs missed (the ledger cannot tell what is stored then) and every read
  // queued behind it. In the Account mix the connection was in a transaction at a third of all
  // checks; throughput rose by half (test/sqlite-write-isolation.test.ts)
  if (database.sqlite && outer === undefined) await new Promise<void>((resolve) => setImmediate(resolve));
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
