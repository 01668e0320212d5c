import type { Database } from './database.js';
import { readStorageVersion, storageVersion } from './storage-version.js';

/**
 * The version of the stored B2B data, for read caches (principals per token, Companies, users,
 * pages, whole answers): the storage version (see storage-version.ts: on SQLite the connection's
 * changed-row count and `PRAGMA data_version` for commits by other connections or processes; on
 * PostgreSQL the current snapshot) plus the world's version (reset, snapshot restore, fixture load)
 * and a local counter (`bump()`): ANY write, by this process or another one, moves it.
 * A reader takes `current()` BEFORE reading the database and stores what it read under that value;
 * an entry is served only while `current()` still equals it.
 *
 * `current()` is undefined (do not cache) on PostgreSQL, where no value without a round trip sees
 * the writes of other processes (`take()` is defined there), while a transaction is open on the
 * SQLite connection, and when no database is given.
 */
export interface DataVersion {
  /** without a round trip: SQLite only (the domain's own caches) */
  current(): string | undefined;
  /**
   * What a request takes once before it reads, for its principal and whole-answer caches: one
   * reading shared by the requests of one event-loop turn (see readStorageVersion), on SQLite and
   * on PostgreSQL.
   */
  take(): Promise<string | undefined>;
  bump(): void;
}

export function createDataVersion(database?: Database, worldVersion: () => number = () => 0): DataVersion {
  let local = 0;
  return {
    current() {
      if (database?.sqlite === undefined) return undefined;
      const stored = storageVersion(database);
      return stored === undefined ? undefined : `${worldVersion()}:${local}:${stored}`;
    },
    async take() {
      if (database === undefined) return undefined;
      const before = `${worldVersion()}:${local}`; // both taken before the round trip, as the reads come after
      const stored = await readStorageVersion(database);
      return stored === undefined ? undefined : `${before}:${stored}`;
    },
    bump() {
      local += 1;
    },
  };
}
