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
  /**
   * True when `taken` came from this version and nothing it counts moved since, in this process
   * (no own write, no reset): a request's reading is then still good for the domain's read caches.
   * (Outside writes after the reading are seen by the next request's reading.)
   */
  isCurrent(taken: string | undefined): boolean;
  bump(): void;
}

let instances = 0;

export function createDataVersion(database?: Database, worldVersion: () => number = () => 0): DataVersion {
  // readings of two DataVersions never compare equal
  const instance = ++instances;
  let local = 0;
  const counted = () => `${instance}:${worldVersion()}:${local}:`;
  return {
    current() {
      if (database?.sqlite === undefined) return undefined;
      const stored = storageVersion(database);
      return stored === undefined ? undefined : `${counted()}${stored}`;
    },
    async take() {
      if (database === undefined) return undefined;
      const before = counted(); // taken before the round trip, as the reads come after
      const stored = await readStorageVersion(database);
      return stored === undefined ? undefined : `${before}${stored}`;
    },
    isCurrent(taken) {
      return taken?.startsWith(counted()) === true;
    },
    bump() {
      local += 1;
    },
  };
}
