import type BetterSqlite3 from 'better-sqlite3';
import { type LimitNode, type QueryCompiler, SqliteDialect, SqliteQueryCompiler, type SqliteDatabase, type SqliteStatement, ValueNode } from 'kysely';
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

/**
 * Kysely's SQLite dialect, except that a bound LIMIT is written `limit (? + 0)`. SQLite (3.46 and
 * later) reads the value bound to a plain `limit ?` while planning and marks the statement to be
 * re-prepared whenever that parameter is bound again, which better-sqlite3 does at every run: each
 * page read and each single-row lookup with `.limit(n)` compiled its SQL again (measured: a store
 * lookup by id 24 us instead of 10, and re-preparing was half of SQLite's time under the mixed
 * Account load, issue #16). The expression is the same number at run time; plans do not change
 * (Roster's limited reads walk an index in its order).
 */
class RosterSqliteQueryCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    if (!ValueNode.is(node.limit) || node.limit.immediate === true) {
      super.visitLimit(node);
      return;
    }
    this.append('limit (');
    this.visitNode(node.limit);
    this.append(' + 0)');
  }
}

export class RosterSqliteDialect extends SqliteDialect {
  override createQueryCompiler(): QueryCompiler {
    return new RosterSqliteQueryCompiler();
  }
}
