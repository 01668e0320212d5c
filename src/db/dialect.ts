import type BetterSqlite3 from 'better-sqlite3';
import { type AliasedRawBuilder, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { DialectName } from './database.js';
import type { DB } from './tables.js';
import { XID_COLUMN } from './pg-statements.js';

/**
 * The only place where SQLite and PostgreSQL differ in the SQL we write. Repositories never carry a
 * dialect around: the helpers here read it from the Kysely instance (or transaction) they are given,
 * through the dialect adapter that openDatabase registered (a transaction shares its database's).
 */
const dialects = new WeakMap<object, DialectName>();

/** Called once by openDatabase for each Kysely instance it makes. */
export function registerDialect(kysely: Kysely<DB>, dialect: DialectName, handle?: BetterSqlite3.Database, pgAsciiFold = false): void {
  dialects.set(kysely.getExecutor().adapter, dialect);
  if (handle) handles.set(kysely.getExecutor().adapter, handle);
  if (pgAsciiFold) asciiFolding.add(kysely.getExecutor().adapter);
}

/** PostgreSQL databases whose lower() folds A-Z to a-z (checked when opened; not a Turkish locale, say) */
const asciiFolding = new WeakSet<object>();

const handles = new WeakMap<object, BetterSqlite3.Database>();

/** The better-sqlite3 handle behind a Kysely instance or one of its transactions (SQLite only). */
export function sqliteHandleOf(db: Kysely<DB>): BetterSqlite3.Database | undefined {
  return handles.get(db.getExecutor().adapter);
}

export function dialectOf(db: Kysely<DB>): DialectName {
  const dialect = dialects.get(db.getExecutor().adapter);
  if (dialect === undefined) throw new Error('a Kysely instance that openDatabase did not make');
  return dialect;
}

/** Case-insensitive LIKE (SQLite's LIKE is already case-insensitive for ASCII; PostgreSQL needs ILIKE). */
export function ilike(db: Kysely<DB>, column: Expression<unknown>, pattern: string): RawBuilder<boolean> {
  return dialectOf(db) === 'postgres' ? sql<boolean>`${column} ILIKE ${pattern}` : sql<boolean>`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/**
 * Text as SQLite's `LIKE` compares it (no ICU): ASCII letters folded to lower case, every other
 * character as it is. `sqliteLikeFold(a).includes(sqliteLikeFold(b))` is `a LIKE '%' || b || '%'`
 * with `b`'s wildcards escaped, for read models that answer in memory what SQLite would (the
 * Company users views).
 */
export function sqliteLikeFold(text: string): string {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  // pure ASCII (names and e-mails, nearly always): toLowerCase folds exactly A-Z
  return text.toLowerCase();
}

/**
 * How this database's case-insensitive match (`ilike`) folds text, for read models that answer
 * searches in memory: `fold(a).includes(fold(b))` is `a ILIKE '%' || b || '%'` (b's wildcards
 * escaped) whenever `fold` gives both a value. SQLite: sqliteLikeFold, for any text. PostgreSQL:
 * ILIKE folds with lower() of the database's locale, which for text outside ASCII differs between
 * locales (and from JavaScript): ASCII text only (undefined otherwise), and only on a database whose
 * lower() folds A-Z as ASCII does. Undefined: no in-memory search here.
 */
export function likeFoldOf(db: Kysely<DB>): ((text: string) => string | undefined) | undefined {
  if (dialectOf(db) === 'sqlite') return sqliteLikeFold;
  if (!asciiFolding.has(db.getExecutor().adapter)) return undefined;
  return asciiLikeFold;
}

function asciiLikeFold(text: string): string | undefined {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return undefined;
  return text.toLowerCase();
}

/**
 * The rows a query reads, locked until the transaction ends: `FOR UPDATE` on PostgreSQL; on SQLite
 * the transaction already holds the database (one writer, one connection) and the query is unchanged.
 */
export function lockedForUpdate<O, T extends keyof DB & string>(db: Kysely<DB>, query: SelectQueryBuilder<DB, T, O>): SelectQueryBuilder<DB, T, O> {
  if (dialectOf(db) !== 'postgres') return query;
  // the lock gives the transaction its id: reported beside the row, so the tenant ledger's closing
  // question for it costs no round trip (pg-statements.ts PG_XID_SQL)
  return (query.select(sql<string>`pg_current_xact_id()::text`.as(XID_COLUMN)) as unknown as SelectQueryBuilder<DB, T, O>).forUpdate();
}

/**
 * A column for a write's RETURNING list that reports, on PostgreSQL, the id of the transaction
 * the write runs in, so that the tenant ledger's closing question for it costs no round trip
 * (pg-statements.ts PG_XID_SQL); on SQLite a null. Callers ignore the column.
 */
export function transactionIdColumn(db: Kysely<DB>): AliasedRawBuilder<string | null, typeof XID_COLUMN> {
  return dialectOf(db) === 'postgres' ? sql<string | null>`pg_current_xact_id()::text`.as(XID_COLUMN) : sql<string | null>`null`.as(XID_COLUMN);
}

/**
 * The right side of a join's `key = foreign key` (`users.id = member.user_id`) for keyset pages
 * that bound the foreign key (`member.user_id > ?`). SQLite carries such a bound over to the other
 * side of the equality, and with table statistics it then planned a scan of every user above the
 * cursor plus a sort (783 µs a page) instead of the member index walk (63 µs); a unary `+` keeps
 * the bound where it is written. PostgreSQL plans it right and gets the column as it is.
 */
export function joinedKey(db: Kysely<DB>, column: string): Expression<number> {
  return dialectOf(db) === 'sqlite' ? sql<number>`+${sql.ref(column)}` : sql.ref<number>(column);
}

/** Escape %, _ and \ for a LIKE pattern; both dialects use backslash as the escape character here. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Key used for e-mail uniqueness and lookup: trimmed, lower-case. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
