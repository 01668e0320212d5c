import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './database.js';

/**
 * A value that changes whenever anything stored may have changed, so read results can be cached
 * exactly: on SQLite, the connection's count of changed rows (every INSERT, UPDATE or DELETE that
 * touched a row, committed or not; in memory, no system call) and `PRAGMA data_version` (moves on
 * every commit by another connection: another process on the same file, a direct edit, DDL there).
 *
 * Not in it: `PRAGMA schema_version`. Each pragma takes and drops the WAL read lock (two fcntl and
 * an fstat: ~5-7 µs idle, several times that with the other core busy, where it was a third of a
 * cached request's CPU), and the only DDL on Roster's own connection is its migrations, run
 * before anything is served or cached. Callers take the version once per request and pass it on.
 *
 * Undefined (do not cache) on PostgreSQL, where no such counter is cheap, and while a transaction
 * is open on the SQLite connection.
 */
type VersionStatements = [BetterSqlite3.Statement, BetterSqlite3.Statement];

const statements = new WeakMap<BetterSqlite3.Database, VersionStatements>();

export function storageVersion(database: Database): string | undefined {
  const handle = database.sqlite;
  if (handle === undefined || !handle.open || handle.inTransaction) return undefined;
  let s = statements.get(handle);
  if (!s) {
    s = [handle.prepare('SELECT total_changes()').pluck(), handle.prepare('PRAGMA data_version').pluck()];
    statements.set(handle, s);
  }
  return `${s[0].get()}:${s[1].get()}`;
}

/**
 * A small map of values valid for one storage version of one connection: reading under another
 * version empties it (so it never holds stale entries), and it keeps at most `maxEntries`.
 */
export interface VersionedCache<V> {
  get(database: Database, version: string, key: string): V | undefined;
  set(database: Database, version: string, key: string, value: V): void;
}

export function createVersionedCache<V>(maxEntries: number): VersionedCache<V> {
  const perHandle = new WeakMap<object, { version: string; entries: Map<string, V> }>();
  const slot = (database: Database, version: string) => {
    const handle = database.sqlite;
    if (handle === undefined) return undefined;
    let current = perHandle.get(handle);
    if (!current || current.version !== version) {
      current = { version, entries: new Map() };
      perHandle.set(handle, current);
    }
    return current;
  };
  return {
    get(database, version, key) {
      return slot(database, version)?.entries.get(key);
    },
    set(database, version, key, value) {
      const current = slot(database, version);
      if (!current) return;
      if (current.entries.size >= maxEntries) current.entries.delete(current.entries.keys().next().value as string);
      current.entries.set(key, value);
    },
  };
}
