import type { Database } from '../../db/database.js';
import { readStorageVersion, storageVersion } from '../../db/storage-version.js';

/**
 * The version of the stored B2B data, for read caches (principals per token, Companies, users,
 * pages, whole answers). On SQLite it is the storage version (see storageVersion: the connection's
 * changed-row count, `PRAGMA data_version` for commits by other connections or processes, the
 * schema version) plus the world's version (reset, snapshot restore, fixture load) and a local
 * counter (`bump()`): ANY write, by this process or another one sharing the file, moves it.
 * A reader takes `current()` BEFORE reading the database and stores what it read under that value;
 * an entry is served only while `current()` still equals it.
 *
 * `current()` is undefined (do not cache) on PostgreSQL (`take()` is not: one round trip), where no cheap value sees the writes of
 * other processes sharing the database, while a transaction is open on the SQLite connection, and
 * when no database is given.
 */
export interface B2bDataVersion {
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

export function createB2bDataVersion(database?: Database, worldVersion: () => number = () => 0): B2bDataVersion {
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

/** A bounded map whose entries are valid for one data version (oldest entries leave first). */
export interface VersionedCache<V> {
  /** never a hit without a version */
  get(key: string, version: string | undefined): V | undefined;
  /** ignored without a version */
  set(key: string, version: string | undefined, value: V): void;
  clear(): void;
}

export function createVersionedCache<V>(maxEntries: number): VersionedCache<V> {
  const entries = new Map<string, { version: string; value: V }>();
  return {
    get(key, version) {
      if (version === undefined) return undefined;
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.version !== version) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, version, value) {
      if (version === undefined) return;
      if (entries.size >= maxEntries && !entries.has(key)) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { version, value });
    },
    clear() {
      entries.clear();
    },
  };
}
