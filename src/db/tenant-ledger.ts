import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import { preparedStatement } from './sqlite-statements.js';
import { requestMemo } from '../shared/request-scope.js';
import type { Database } from './database.js';

/**
 * Per-tenant versions on SQLite, without a round trip: which slices of the data (a B2B Company, ...)
 * this process's own writes touched, so that a write in one Company leaves the read caches of the
 * others valid (issue #16), while ANY other change still invalidates every tenant at once.
 *
 * How it stays exact: the ledger remembers the storage reading (`total_changes()` of the connection
 * and `PRAGMA data_version`, see storage-version.ts) that it can explain. A write that declares its
 * tenants reads the storage inside its own transaction, first and last (nothing else runs on the
 * connection meanwhile), and after its commit `explain`s the difference: only the declared tenants
 * move. Anything the ledger cannot explain (another connection or process committed, a write that
 * declared nothing, a rollback, a reset, a write between two declared ones) moves every tenant: the
 * next `sync` sees a reading it did not explain. So a cache keyed by `stamp(tenant)` misses more
 * than it must, never serves what changed.
 *
 * Each declared write also keeps, per tenant, the ids of the items it touched (bounded), so a
 * read model can re-read those items instead of the whole tenant (`changedSince`).
 *
 * PostgreSQL: no ledger (`ledgerOf` is undefined); the callers keep their global version there.
 */
export interface TenantLedger {
  /** distinct per ledger (a database restored into a new handle gets a new one) */
  readonly id: number;
  /** Reads the storage (outside a transaction) and moves every tenant if it changed unexplained; false: cannot tell now (a transaction is open). */
  sync(): boolean;
  /** The latest stamp of any tenant after `sync()`: taken before a read, to tell whether the read's tenant moved during it. */
  mark(): number;
  /** The tenant's stamp after `sync()`: equal stamps, nothing changed in that tenant. */
  stamp(tenant: string): number;
  /** The items of `tenant` that declared writes touched after `since` (a stamp), or undefined when that is not known (read everything again). */
  changedSince(tenant: string, since: number): number[] | undefined;
  /** Inside a write's transaction, first: the connection's change count (see `reading`). */
  changes(): number;
  /**
   * Inside a write's transaction, last: the storage reading at the start (`changesBefore`) and now.
   * One `PRAGMA data_version`, read last: a commit by another connection after the last explained
   * reading and before this transaction took the write lock shows in it, so `before` then differs
   * from what the ledger explained and everything moves.
   */
  reading(changesBefore: number): { before: string; after: string };
  /**
   * After a commit: the write read `before` first and `after` last and touched only these items of
   * these tenants (an empty map: no tenant at all, e.g. the webhook outbox; null: it does not say).
   */
  explain(before: string, after: string, tenants: ReadonlyMap<string, readonly number[]> | null): void;
}

/** how many declared writes a tenant's log keeps (an older read model reads the tenant again) */
const LOG_LIMIT = 64;

let ledgerCount = 0;
const ledgers = new WeakMap<BetterSqlite3.Database, TenantLedger>();

export function ledgerOf(database: Database): TenantLedger | undefined {
  const handle = database.sqlite;
  if (handle === undefined) return undefined;
  let ledger = ledgers.get(handle);
  if (!ledger) {
    ledger = createLedger(handle);
    ledgers.set(handle, ledger);
  }
  return ledger;
}

function createLedger(handle: BetterSqlite3.Database): TenantLedger {
  const changes = handle.prepare('SELECT total_changes()').pluck();
  const dataVersion = handle.prepare('PRAGMA data_version').pluck();
  const read = () => `${changes.get()}:${dataVersion.get()}`;
  const self = {};
  /**
   * `PRAGMA data_version` takes and drops the WAL read lock (~6 µs; four or five readings a request
   * were the most expensive statement of the mixed bench): read once per request (the first check of
   * a request reads it, so another connection's commit before the request is seen), the connection's
   * own change count every time.
   */
  const readOncePerRequest = () => {
    const memo = requestMemo();
    let version = memo?.get(self) as number | undefined;
    if (version === undefined) {
      version = dataVersion.get() as number;
      memo?.set(self, version);
    }
    return `${changes.get()}:${version}`;
  };
  let explained = read();
  let seq = 0;
  /** every tenant is at least here: the last change the ledger could not explain */
  let floor = 0;
  const touched = new Map<string, number>();
  const logs = new Map<string, { entries: { seq: number; items: readonly number[] }[]; dropped: number }>();

  const moveAll = () => {
    seq += 1;
    floor = seq;
    touched.clear();
    logs.clear();
  };

  return {
    id: ++ledgerCount,
    sync() {
      if (!handle.open || handle.inTransaction) return false;
      const now = readOncePerRequest();
      if (now !== explained) {
        moveAll();
        explained = now;
      }
      return true;
    },
    mark() {
      return seq;
    },
    stamp(tenant) {
      const t = touched.get(tenant);
      return t !== undefined && t > floor ? t : floor;
    },
    changedSince(tenant, since) {
      if (since < floor) return undefined;
      const stamp = touched.get(tenant);
      if (stamp === undefined || stamp <= since) return [];
      const log = logs.get(tenant);
      // entries leave a log oldest first: one that left after `since` took ids with it
      if (!log || log.dropped > since) return undefined;
      const ids = new Set<number>();
      for (const entry of log.entries) if (entry.seq > since) for (const id of entry.items) ids.add(id);
      return [...ids];
    },
    changes() {
      return changes.get() as number;
    },
    reading(changesBefore) {
      const version = dataVersion.get();
      return { before: `${changesBefore}:${version}`, after: `${changes.get()}:${version}` };
    },
    explain(before, after, tenants) {
      if (before !== explained) moveAll();
      if (after === before) {
        explained = after;
        return;
      }
      if (tenants === null) {
        moveAll();
        explained = after;
        return;
      }
      if (tenants.size === 0) {
        explained = after;
        return;
      }
      seq += 1;
      for (const [tenant, items] of tenants) {
        touched.set(tenant, seq);
        let log = logs.get(tenant);
        if (!log) {
          log = { entries: [], dropped: 0 };
          logs.set(tenant, log);
        }
        log.entries.push({ seq, items });
        if (log.entries.length > LOG_LIMIT) log.dropped = (log.entries.shift() as { seq: number }).seq;
      }
      explained = after;
    },
  };
}

/** Where the ledger is now (SQLite, no transaction open): taken BEFORE a read whose result is kept with `ItemDependency`s. */
export function ledgerMark(database: Database): LedgerMark | undefined {
  const ledger = ledgerOf(database);
  if (!ledger?.sync()) return undefined;
  return { ledger: ledger.id, seq: ledger.mark() };
}

export type LedgerMark = { ledger: number; seq: number };

/**
 * For a value read after `since` (a ledgerMark() taken before the read) that shows only the items
 * `shows` accepts of `tenant` (null: it may show anything of the tenant): the position it stays
 * valid at if no change the ledger explained since then touched one of those items, else undefined
 * (changed, or not known: anything unexplained, another ledger). Check it again from what it returns.
 */
export function validSince(database: Database, tenant: string, since: LedgerMark, shows: ((item: number) => boolean) | null): LedgerMark | undefined {
  const ledger = ledgerOf(database);
  if (!ledger?.sync() || ledger.id !== since.ledger) return undefined;
  if (ledger.stamp(tenant) <= since.seq) return since;
  if (shows === null) return undefined;
  const changed = ledger.changedSince(tenant, since.seq);
  if (changed === undefined || changed.some(shows)) return undefined;
  return { ledger: ledger.id, seq: ledger.mark() };
}

const NO_TENANT: ReadonlyMap<string, readonly number[]> = new Map();

/**
 * Runs one write statement that changes no tenant's data (the webhook outbox's delivery states, a
 * hook deactivated): on SQLite outside a transaction, straight on the connection between two
 * readings, so the ledger explains it and no read model is dropped (a delivery a few ms apart used
 * to make every Company read its users again); otherwise through Kysely, unexplained.
 */
export async function runOutsideTenants(database: Database, query: { compile(): CompiledQuery }): Promise<{ numAffectedRows: bigint }> {
  const handle = database.sqlite;
  const ledger = ledgerOf(database);
  const compiled = query.compile();
  if (handle?.open && !handle.inTransaction && ledger) {
    const start = ledger.reading(ledger.changes()).before;
    const result = preparedStatement(handle, compiled.sql).run(...compiled.parameters);
    ledger.explain(start, ledger.reading(ledger.changes()).after, NO_TENANT);
    return { numAffectedRows: BigInt(result.changes) };
  }
  const result = await database.kysely.executeQuery(compiled);
  return { numAffectedRows: result.numAffectedRows ?? 0n };
}
