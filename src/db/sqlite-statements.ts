import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { createWeightedLru, textWeight } from '../shared/weighted-lru.js';

/**
 * What Kysely's SQLite driver sees of a better-sqlite3 handle: the same handle, except that
 * `prepare` keeps the statements it made, by SQL text. Kysely prepares every query it runs;
 * compiling the SQL was the largest single cost of a write (measured: 18.6% of the server's CPU
 * under a load of single-user updates, more than executing them). Roster's queries come from a
 * fixed set of query builders, so their texts repeat; the cache is still bounded (texts that vary,
 * like IN lists of any length, push out the least recently used).
 *
 * A statement in the middle of an `iterate()` is busy: another query with the same text then gets
 * a statement of its own. SQLite re-prepares a kept statement itself when the schema changed.
 */
const MAX_STATEMENTS = 500;
const MAX_STATEMENT_WEIGHT = 4 * 1024 * 1024;
/** what one prepared statement keeps in SQLite's memory besides its text, roughly */
const STATEMENT_OVERHEAD = 2048;

export function withStatementCache(handle: BetterSqlite3.Database): SqliteDatabase {
  const kept = createWeightedLru<BetterSqlite3.Statement>({ maxEntries: MAX_STATEMENTS, maxWeight: MAX_STATEMENT_WEIGHT });
  return {
    close() {
      kept.clear();
      handle.close();
    },
    prepare(sql: string): SqliteStatement {
      const statement = kept.get(sql);
      if (statement !== undefined && !statement.busy) return statement as unknown as SqliteStatement;
      const fresh = handle.prepare(sql);
      if (statement === undefined) kept.set(sql, fresh, textWeight(sql) + STATEMENT_OVERHEAD);
      return fresh as unknown as SqliteStatement;
    },
  };
}
