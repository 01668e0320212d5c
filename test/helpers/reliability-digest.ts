import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { tablesInDependencyOrder } from '../../src/db/tables.js';

/**
 * A fingerprint of every row of every table, to prove that a request changed nothing.
 * Tables are visited in `tablesInDependencyOrder`; within a table each row is serialised with its
 * columns sorted by name and the serialised rows are sorted, so the digest does not depend on the
 * order the engine returns rows in. Values are compared as the driver returns them, so compare
 * digests of the same dialect only.
 */
export type TableDigests = Record<(typeof tablesInDependencyOrder)[number], string>;

function stableRow(row: Record<string, unknown>): string {
  const keys = Object.keys(row).sort();
  return JSON.stringify(keys.map((k) => [k, normalise(row[k])]));
}

function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** Per-table SHA-256 of the table's rows (plus its row count, for readable diffs). */
export async function digestTables(database: Database): Promise<TableDigests> {
  const out = {} as TableDigests;
  for (const table of tablesInDependencyOrder) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(database.kysely)).rows;
    const lines = rows.map(stableRow).sort();
    const hash = createHash('sha256');
    for (const line of lines) hash.update(line).update('\n');
    out[table] = `${rows.length}:${hash.digest('hex')}`;
  }
  return out;
}

/** One hash over every table, for a single equality assertion. */
export async function digestDatabase(database: Database): Promise<string> {
  const tables = await digestTables(database);
  return createHash('sha256').update(JSON.stringify(tablesInDependencyOrder.map((t) => [t, tables[t]]))).digest('hex');
}

/** The rows of one table as sorted stable strings: for "what changed" messages in failing assertions. */
export async function tableRows(database: Database, table: (typeof tablesInDependencyOrder)[number]): Promise<string[]> {
  const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(database.kysely)).rows;
  return rows.map(stableRow).sort();
}
