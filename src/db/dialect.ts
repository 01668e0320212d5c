import { type Expression, type RawBuilder, sql } from 'kysely';
import type { DialectName } from './database.js';

/** The only place where SQLite and PostgreSQL differ in the SQL we write. */

/** Case-insensitive LIKE (SQLite's LIKE is already case-insensitive for ASCII; PostgreSQL needs ILIKE). */
export function ilike(dialect: DialectName, column: Expression<unknown>, pattern: string): RawBuilder<boolean> {
  return dialect === 'postgres' ? sql<boolean>`${column} ILIKE ${pattern}` : sql<boolean>`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/** Escape %, _ and \ for a LIKE pattern; both dialects use backslash as the escape character here. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Key used for e-mail uniqueness and lookup: trimmed, lower-case. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
