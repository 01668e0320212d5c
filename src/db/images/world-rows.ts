import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { type DB, tablesInDependencyOrder } from '../tables.js';

/** Every table's rows, keyed by table name, `id_counters` included. */
export type TableName = (typeof tablesInDependencyOrder)[number];
export type TableRows = { [T in TableName]: Record<string, unknown>[] };

/** Every table's rows in one consistent read. */
export async function readAllRows(db: Kysely<DB>, options: { repeatableRead?: boolean } = {}): Promise<TableRows> {
  const transaction = options.repeatableRead ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return transaction.execute(async (trx) => {
    const out = {} as TableRows;
    for (const table of tablesInDependencyOrder) {
      out[table] = (await trx.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    }
    return out;
  });
}

export function countSqliteRows(handle: BetterSqlite3.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of tablesInDependencyOrder) out[table] = (handle.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  return out;
}

/** row counts of an image: serialized bytes, or the path of an image file */
export function countSqliteImageRows(image: Buffer | string): Record<string, number> {
  const handle = new BetterSqlite3(image, { readonly: true });
  try {
    return countSqliteRows(handle);
  } finally {
    handle.close();
  }
}

/**
 * SQLite: replaces every row of `target` with the rows of `source` (another SQLite handle: an image
 * or a scratch database), in one transaction on the raw handle: prepared statements, rows as arrays,
 * foreign keys checked at commit. Holding Kysely's connection keeps every other query out meanwhile.
 */
export async function copySqliteDatabase(source: BetterSqlite3.Database, target: Database): Promise<void> {
  const db = target.sqlite;
  if (!db) throw new Error('not a SQLite database');
  await target.kysely.connection().execute(async () => {
    db.transaction(() => {
      db.pragma('defer_foreign_keys = ON');
      for (const table of [...tablesInDependencyOrder].reverse()) db.prepare(`DELETE FROM "${table}"`).run();
      for (const table of tablesInDependencyOrder) {
        const select = source.prepare(`SELECT * FROM "${table}"`).raw(true);
        const columns = select.columns().map((c) => `"${c.name}"`);
        const insert = db.prepare(`INSERT INTO "${table}" (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        for (const row of select.iterate() as IterableIterator<unknown[]>) insert.run(row);
      }
    })();
  });
}

/** SQLite: restore a serialized image (see copySqliteDatabase). */
export async function restoreSqliteImage(bytes: Buffer, target: Database): Promise<void> {
  const source = new BetterSqlite3(bytes, { readonly: true });
  try {
    await copySqliteDatabase(source, target);
  } finally {
    source.close();
  }
}

/**
 * SQLite: replaces every row of `target` with the rows of the database file at `path`, inside
 * SQLite (the file attached, `INSERT ... SELECT` per table: no row crosses into JavaScript), in
 * one transaction, foreign keys checked at commit. Holds Kysely's connection throughout, so no
 * other query runs in between and no Kysely transaction is open (ATTACH needs none open).
 */
export async function restoreSqliteFile(path: string, target: Database): Promise<void> {
  const db = target.sqlite;
  if (!db) throw new Error('not a SQLite database');
  await target.kysely.connection().execute(async () => {
    db.prepare('ATTACH DATABASE ? AS roster_image').run(path);
    try {
      db.transaction(() => {
        db.pragma('defer_foreign_keys = ON');
        for (const table of [...tablesInDependencyOrder].reverse()) db.prepare(`DELETE FROM main."${table}"`).run();
        for (const table of tablesInDependencyOrder) {
          const columns = db
            .prepare(`SELECT * FROM roster_image."${table}"`)
            .columns()
            .map((c) => `"${c.name}"`)
            .join(', ');
          db.prepare(`INSERT INTO main."${table}" (${columns}) SELECT ${columns} FROM roster_image."${table}"`).run();
        }
      })();
    } finally {
      db.prepare('DETACH DATABASE roster_image').run();
    }
  });
}

/** Rows per statement: stays far below SQLite's and PostgreSQL's bound-parameter limits. */
const MAX_PARAMETERS = 8000;

/**
 * Replaces every row of every table with `rows` in one transaction: delete in reverse dependency
 * order, insert in order (companies: parents before subsidiaries, the FK is checked per statement).
 */
export async function replaceAllRows(database: Database, rows: TableRows): Promise<void> {
  await database.kysely.transaction().execute(async (trx) => {
    // DELETE, not TRUNCATE: far cheaper on PostgreSQL for the small worlds this path serves
    for (const table of [...tablesInDependencyOrder].reverse()) await trx.deleteFrom(table).execute();
    for (const table of tablesInDependencyOrder) {
      const list = table === 'companies' ? parentsFirst(rows.companies) : rows[table];
      if (list.length === 0) continue;
      const columns = Math.max(1, Object.keys(list[0] as object).length);
      const chunk = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
      for (let i = 0; i < list.length; i += chunk) {
        // biome-ignore lint: Kysely's insert typing cannot follow a table name chosen at run time
        await trx.insertInto(table).values(list.slice(i, i + chunk) as any).execute();
      }
    }
  });
}

/** Companies ordered so that a parent always comes before its subsidiaries. */
export function parentsFirst(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  const out: Record<string, unknown>[] = [];
  const placed = new Set<number>();
  for (const row of rows) {
    const chain: Record<string, unknown>[] = [];
    let current: Record<string, unknown> | undefined = row;
    const seen = new Set<number>();
    while (current && !placed.has(current.id as number) && !seen.has(current.id as number)) {
      seen.add(current.id as number);
      chain.push(current);
      const parent = current.parent_id as number | null | undefined;
      current = parent === null || parent === undefined ? undefined : byId.get(parent);
    }
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      const r = chain[i] as Record<string, unknown>;
      placed.add(r.id as number);
      out.push(r);
    }
  }
  return out;
}

/**
 * Every row of `source` (a scratch SQLite database: a fixture just loaded there) into `target`,
 * replacing what it held, on either engine; returns the row counts per table.
 */
export async function copyWorldRows(source: Database, target: Database): Promise<Record<string, number>> {
  if (!source.sqlite) throw new Error('the source of a row copy is a SQLite database');
  const counts = countSqliteRows(source.sqlite);
  if (target.sqlite) await copySqliteDatabase(source.sqlite, target);
  else await replaceAllRows(target, await readAllRows(source.kysely));
  return counts;
}
