/**
 * The version of the B2B data a process has written, for read caches (principals per token,
 * Companies, user pages). It moves forward after every committed write of the company-user service
 * and whenever the world's rows are replaced wholesale (reset, snapshot restore: `services.dataVersion`).
 * A reader takes `current()` BEFORE reading the database and stores what it read under that number;
 * an entry is served only while `current()` still equals it. One Roster process per database: a
 * second process writing the same PostgreSQL database is not seen (documented in the README).
 */
export interface B2bDataVersion {
  current(): number;
  bump(): void;
}

export function createB2bDataVersion(worldVersion: () => number = () => 0): B2bDataVersion {
  let local = 0;
  let world = worldVersion();
  return {
    current() {
      const now = worldVersion();
      if (now !== world) {
        world = now;
        local += 1;
      }
      return local;
    },
    bump() {
      local += 1;
    },
  };
}

/** A bounded map whose entries are valid for one data version (oldest entries leave first). */
export interface VersionedCache<V> {
  get(key: string, version: number): V | undefined;
  set(key: string, version: number, value: V): void;
  clear(): void;
}

export function createVersionedCache<V>(maxEntries: number): VersionedCache<V> {
  const entries = new Map<string, { version: number; value: V }>();
  return {
    get(key, version) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.version !== version) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, version, value) {
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
