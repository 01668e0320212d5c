import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { createWeightedLru, textWeight, type WeightedLru } from '../shared/weighted-lru.js';

/**
 * What Kysely's SQLite driver sees of a better-sqlite3 handle: the same handle, except that
 * `prepare` keeps the statements it made, by SQL text. Kysely prepares every query it runs;
 * compiling the SQL was the largest single cost of a write (measured: 18.6% of the server's CPU
 * under a load of single-user updates, more than executing them). Roster's queries come from a
 * fixed set of query builders, so their texts repeat; the cache is still bounded (texts that vary,
 * like IN lists of any length, push out the least recently used).
 *
 * SQLite re-prepares a kept statement itself when the schema changed.
 */
const MAX_STATEMENTS = 500;
const MAX_STATEMENT_WEIGHT = 4 * 1024 * 1024;
/** what one prepared statement keeps in SQLite's memory besides its text, roughly */
const STATEMENT_OVERHEAD = 2048;

const kept = new WeakMap<BetterSqlite3.Database, WeightedLru<BetterSqlite3.Statement>>();

/**
 * The connection's prepared statement for `sql`, made on first use and kept: the one statement
 * cache of a SQLite connection, shared by Kysely's driver (below) and the raw-handle reads of
 * db/shaped-query.ts. A statement in the middle of an `iterate()` is busy: the caller then gets a
 * fresh one, not kept.
 */
export function preparedStatement(handle: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let statements = kept.get(handle);
  if (!statements) {
    statements = createWeightedLru<BetterSqlite3.Statement>({ maxEntries: MAX_STATEMENTS, maxWeight: MAX_STATEMENT_WEIGHT });
    kept.set(handle, statements);
  }
  const statement = statements.get(sql);
  if (statement !== undefined && !statement.busy) return statement;
  const fresh = handle.prepare(sql);
  if (statement === undefined) statements.set(sql, fresh, textWeight(sql) + STATEMENT_OVERHEAD);
  return fresh;
}

export function withStatementCache(handle: BetterSqlite3.Database): SqliteDatabase {
  return {
    close() {
      kept.delete(handle);
      handle.close();
    },
    prepare: (sql: string) => preparedStatement(handle, sql) as unknown as SqliteStatement,
  };
}
