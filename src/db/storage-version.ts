import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Database } from './database.js';
import { ledgerOf, pgLedgerOf } from './tenant-ledger.js';
import { createWeightedLru, type WeightedLru } from '../shared/weighted-lru.js';

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
 * The storage version a request takes before it reads, on both engines: on SQLite `storageVersion`
 * (no round trip); on PostgreSQL the text of `pg_current_snapshot()` (one round trip). That text
 * changes exactly when the set of committed transactions visible to a new statement changes: its
 * xmax is one past the latest completed transaction id and only grows, and below it the list of
 * transactions still running only shrinks. So two equal readings mean nothing was committed (or
 * rolled back) in between by anyone: this process, another Roster instance, psql. Any write in the
 * cluster moves it (other databases and schemas too): a cache keyed by it misses more, never serves
 * a stale answer. Undefined (do not cache) while a SQLite transaction is open.
 *
 * Requests that ask in the same turn of the event loop share one reading, taken from
 * `setImmediate`: after every one of them has arrived (the poll phase that read their bytes is
 * over) and before any of their reads, as a reading of their own would be. Under load that is one
 * PostgreSQL round trip, or one `PRAGMA data_version` (two fcntl and an fstat on a WAL file), for
 * many requests instead of one each.
 */
export function readStorageVersion(database: Database): Promise<string | undefined> {
  const ledger = ledgerOf(database);
  if (ledger === undefined) return sharedReading(database);
  // the request's tenant-ledger checks stand on this reading (SQLite: its data_version, one PRAGMA per
  // turn; PostgreSQL: the snapshot the ledger explained once, in snapshotOf)
  return sharedReading(database).then((reading) => {
    if (reading !== undefined) ledger.observed(reading);
    return reading;
  });
}

function sharedReading(database: Database): Promise<string | undefined> {
  const pending = waiting.get(database);
  if (pending) return pending;
  const next = new Promise<string | undefined>((resolve, reject) => {
    setImmediate(() => {
      waiting.delete(database);
      if (database.dialect === 'sqlite') {
        try {
          resolve(storageVersion(database));
        } catch (error) {
          reject(error as Error);
        }
        return;
      }
      snapshotOf(database).then(resolve, reject);
    });
  });
  waiting.set(database, next);
  return next;
}

const waiting = new WeakMap<Database, Promise<string | undefined>>();

async function snapshotOf(database: Database): Promise<string> {
  let snapshot: string;
  if (database.pgSnapshot) snapshot = await database.pgSnapshot();
  else snapshot = (await sql<{ s: string }>`SELECT pg_current_snapshot()::text AS s`.execute(database.kysely)).rows[0]?.s ?? '';
  const ledger = pgLedgerOf(database);
  ledger?.observe(snapshot);
  // a write that registers after its commit may be what this reading shows completed: the
  // requests on this reading go on once it has said what it touched (tenant-ledger.ts startUnregistered)
  const explained = ledger?.explained();
  if (explained) await explained;
  return snapshot;
}

/**
 * A small map of values valid for one storage version of one database: reading under another
 * version empties it (so it never holds stale entries), and it keeps at most `maxEntries` and, when
 * given, `maxWeight` (estimated bytes, see shared/weighted-lru.ts), least recently used leaving
 * first. Without a version (a SQLite transaction open, no database) it never hits and keeps nothing.
 */
export interface VersionedCache<V> {
  get(database: Database, version: string | undefined, key: string): V | undefined;
  /** `weight`: what the entry keeps alive, for a cache with a `maxWeight` */
  set(database: Database, version: string | undefined, key: string, value: V, weight?: number): void;
}

export function createVersionedCache<V>(maxEntries: number, maxWeight = Number.POSITIVE_INFINITY): VersionedCache<V> {
  const perDatabase = new WeakMap<Database, { version: string; entries: WeightedLru<V> }>();
  const slot = (database: Database, version: string) => {
    let current = perDatabase.get(database);
    if (!current || current.version !== version) {
      current = { version, entries: createWeightedLru<V>({ maxEntries, maxWeight }) };
      perDatabase.set(database, current);
    }
    return current;
  };
  return {
    get(database, version, key) {
      return version === undefined ? undefined : slot(database, version).entries.get(key);
    },
    set(database, version, key, value, weight = 0) {
      if (version === undefined) return;
      slot(database, version).entries.set(key, value, weight);
    },
  };
}
