import { CompiledQuery, type Kysely, type QueryCreator } from 'kysely';
import type { Database } from './database.js';
import { dialectOf, sqliteHandleOf } from './dialect.js';
import { registerPreparedText } from './pg-statements.js';
import { preparedStatement } from './sqlite-statements.js';
import type { DB } from './tables.js';

/**
 * Hot-path reads of the Account API. A read's SQL depends only on its shape (which clauses it has,
 * how many ids it lists), so it is compiled by Kysely once per shape and dialect, then run with
 * fresh parameters: on SQLite as the connection's prepared statement (db/sqlite-statements.ts, the
 * one statement cache Kysely's driver uses too) run on the raw handle, on PostgreSQL through Kysely. This skips building and compiling the query (and, on
 * SQLite, preparing it) on every request, which profiling showed to be most of a page's cost.
 *
 * Inside a SQLite transaction the raw handle would see uncommitted rows, so then the read goes
 * through Kysely, which waits for the transaction to finish.
 */
interface Compilable<R> {
  compile(): CompiledQuery<R>;
}

const sqlByShape = new Map<string, string>();

function sameParameters(compiled: readonly unknown[], given: readonly unknown[]): boolean {
  // Object.is: a NaN parameter (a number read from text that is not one) is the same NaN
  return compiled.length === given.length && compiled.every((value, i) => Object.is(value, given[i]));
}

/** The SQL of a shape (`dialect:key`), compiled on first use, when `parameters` match the compiled ones. */
function sqlOfShape(cacheKey: string, parameters: readonly unknown[], build: () => Compilable<unknown>): string {
  let sql = sqlByShape.get(cacheKey);
  if (sql === undefined) {
    const compiled = build().compile();
    if (!sameParameters(compiled.parameters, parameters)) {
      throw new Error(`shaped query "${cacheKey}": the parameters given do not match the compiled query's`);
    }
    sql = compiled.sql;
    sqlByShape.set(cacheKey, sql);
    if (cacheKey.startsWith('postgres:')) registerPreparedText(sql);
  }
  return sql;
}

/**
 * Runs the query of shape `key` with `parameters`, which must be exactly the parameters `build()`
 * compiles to, in order (checked when the shape is first compiled).
 */
export async function runShaped<R>(database: Database, key: string, parameters: readonly unknown[], build: () => Compilable<R>): Promise<R[]> {
  const cacheKey = `${database.dialect}:${key}`;
  const sql = sqlOfShape(cacheKey, parameters, build);
  const handle = database.sqlite;
  if (handle?.open && !handle.inTransaction) {
    return preparedStatement(handle, sql).all(...parameters) as R[];
  }
  const result = await database.kysely.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]));
  return result.rows;
}

/**
 * The same idea for any executor, a transaction included: the query of shape `key` is built and
 * compiled once per dialect, then run as compiled SQL with `parameters` (which must be exactly the
 * parameters `build()` compiles to, in order: checked on the first compile). On SQLite the
 * statement itself is kept too (db/sqlite-statements.ts), so a hot single-row read or write costs
 * neither query building nor SQL compiling. `build` must give the same SQL for every call of a
 * shape: anything that changes the SQL (a lock, a clause, a list's length) belongs in `key`.
 */
export async function runCompiled<R>(db: Kysely<DB>, key: string, parameters: readonly unknown[], build: () => Compilable<R>): Promise<R[]> {
  const sql = sqlOfShape(`${dialectOf(db)}:${key}`, parameters, build);
  // SQLite: straight on the connection when that is where Kysely would run it now: inside this
  // transaction (its callback holds the one connection), or outside any (~10 us of Kysely's
  // executor and promises per statement, 7 statements a single-user update)
  const handle = sqliteHandleOf(db);
  if (handle?.open && handle.inTransaction === db.isTransaction) {
    const statement = preparedStatement(handle, sql);
    if (statement.reader) return statement.all(...parameters) as R[];
    statement.run(...parameters);
    return [];
  }
  const result = await db.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]));
  return result.rows;
}

/** A write of `runCompiled`'s kind, built from whatever creates queries (the database, a transaction, a WITH clause). */
export interface WritePlan<R> {
  key: string;
  parameters: readonly unknown[];
  build(creator: QueryCreator<DB>): Compilable<R>;
}

/**
 * Two writes of one transaction that do not depend on each other, as one statement where that
 * saves a round trip: on PostgreSQL `first` runs as a data-modifying WITH of `main` (executed
 * whether or not `main` reads it; its errors, unique violations included, are the statement's); on
 * SQLite, which has no round trips to save and no writes in WITH, one after the other. `main`'s rows.
 */
export async function runCompiledTogether<R>(db: Kysely<DB>, first: WritePlan<unknown>, main: WritePlan<R>): Promise<R[]> {
  if (dialectOf(db) !== 'postgres') {
    await runCompiled(db, first.key, first.parameters, () => first.build(db));
    return runCompiled(db, main.key, main.parameters, () => main.build(db));
  }
  return runCompiled(db, `${first.key}+${main.key}`, [...first.parameters, ...main.parameters], () =>
    main.build(db.with('roster_first', (creator) => first.build(creator) as never) as unknown as QueryCreator<DB>),
  );
}
