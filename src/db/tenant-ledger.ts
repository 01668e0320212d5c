import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Transaction } from 'kysely';
import { preparedStatement } from './sqlite-statements.js';
import { isRetryableConflict } from './db-errors.js';
import { DECLARED_END, PG_XID_SQL, registerPreparedText } from './pg-statements.js';
import { requestMemo } from '../shared/request-scope.js';
import type { Database } from './database.js';
import type { DB } from './tables.js';

/**
 * Per-tenant versions: which slices of the data (a B2B Company, ...)
 * this process's own writes touched, so that a write in one Company leaves the read caches of the
 * others valid (issue #16), while ANY other change still invalidates every tenant at once.
 *
 * How it stays exact: a write that declares its tenants (`beginLedgerWrite`) is told apart from
 * every other change of the storage, per engine (createSqliteLedger: change counters, no round trip;
 * createPgLedger: transaction ids in the request's snapshot reading); only its tenants move.
 * Anything the ledger cannot explain (another connection or process committed, a write that
 * declared nothing, a rollback, a reset) moves every tenant. So a cache keyed by `stamp(tenant)`
 * misses more than it must, never serves what changed.
 *
 * Each declared write also keeps, per tenant, the ids of the items it touched (bounded), so a
 * read model can re-read those items instead of the whole tenant (`changedSince`).
 */
export interface TenantLedger {
  /** distinct per ledger (a database restored into a new handle gets a new one) */
  readonly id: number;
  /**
   * Brings the ledger up to the storage as this request must see it, and moves every tenant if
   * that shows a change it cannot explain; false: it cannot tell now (a transaction is open; on
   * PostgreSQL also: this request took no storage reading yet, see readStorageVersion).
   */
  sync(): boolean;
  /** True when this request took its storage reading (a transaction may be open now): the stamps are then at least as new as that reading. */
  seen(): boolean;
  /** The request took `reading` (storage-version.ts readStorageVersion, after it arrived): its later checks stand on it. */
  observed(reading: string): void;
  /** The latest stamp of any tenant after `sync()`: taken before a read, to tell whether the read's tenant moved during it. */
  mark(): number;
  /** The tenant's stamp after `sync()`: equal stamps, nothing changed in that tenant. */
  stamp(tenant: string): number;
  /** The items of `tenant` that declared writes touched after `since` (a stamp), or undefined when that is not known (read everything again). */
  changedSince(tenant: string, since: number): number[] | undefined;
  /** whether a change since `since` touched an item `shows` accepts (true too when the ledger cannot tell): changedSince without building the list */
  touchedSince(tenant: string, since: number, shows: Shows): boolean;
}

/**
 * What a kept value shows of a tenant: the items a predicate accepts, or a set of items (and the
 * items outside it that `alsoIf` accepts), which the ledger can check by item instead of by write.
 */
export type Shows = ((item: number) => boolean) | { items: ReadonlySet<number>; alsoIf?: ((item: number) => boolean) | undefined };

/** What a write says it touched: items per tenant; an empty map: no tenant at all (the webhook outbox); null: it does not say. */
export type TouchedTenants = ReadonlyMap<string, readonly number[]> | null;

/**
 * A write's part in the ledger, made first inside its transaction (`beginLedgerWrite`): `close` is
 * the last thing the transaction does (with what it touched), `settle` runs after its commit.
 */
export interface LedgerWrite {
  close(trx: Transaction<DB>, tenants: TouchedTenants): Promise<void>;
  settle(): void;
}

interface LogEntry {
  seq: number;
  items: readonly number[];
}

/** a tenant's declared writes, oldest first from `start` (entries before it have left) */
interface TenantLog {
  entries: LogEntry[];
  start: number;
  /** each item named by an entry still kept: the seq of the newest entry naming it */
  last: Map<number, number>;
  /** the seq of the newest entry that left: a change after a position before it may be missing */
  dropped: number;
}

/**
 * How many declared writes the logs keep, all tenants together (oldest leave first, whatever their
 * tenant). A per-tenant count of 64 was too short for a tenant every write names: the Account API's
 * user rows (`account-users`) saw 64 writes in a fifth of a second under the Account mix, so answers
 * kept a little longer were dropped though no write named their users (users by id: 26% hits).
 */
const LOGGED_WRITES = 65_536;

/** the tenants' stamps: what both engines' ledgers keep (`logged`: LOGGED_WRITES; smaller in its test) */
export function createStamps(logged = LOGGED_WRITES) {
  let seq = 0;
  /** every tenant is at least here: the last change the ledger could not explain */
  let floor = 0;
  const touched = new Map<string, number>();
  const logs = new Map<string, TenantLog>();
  /** the log of every kept entry, in seq order (from `orderStart`): the oldest entry of all is the first of order[orderStart] */
  let order: TenantLog[] = [];
  let orderStart = 0;
  const compact = <T>(list: T[], from: number) => from > 1_024 && from * 2 > list.length;
  /** the index of the first entry of `log` after `since` (entries are in seq order) */
  const firstAfter = (log: TenantLog, since: number) => {
    let low = log.start;
    let high = log.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((log.entries[middle] as LogEntry).seq <= since) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  /** walks the entries of `log` after `since`, newest first, until `visit` says stop */
  const newestFirst = (log: TenantLog, since: number, visit: (entry: LogEntry) => boolean) => {
    for (let i = log.entries.length - 1; i >= log.start; i -= 1) {
      const entry = log.entries[i] as LogEntry;
      if (entry.seq <= since || visit(entry)) return;
    }
  };
  return {
    moveAll() {
      seq += 1;
      floor = seq;
      touched.clear();
      logs.clear();
      order = [];
      orderStart = 0;
    },
    /** one declared write: only its tenants move (null: everything) */
    touch(tenants: TouchedTenants) {
      if (tenants === null) return this.moveAll();
      if (tenants.size === 0) return;
      seq += 1;
      for (const [tenant, items] of tenants) {
        touched.set(tenant, seq);
        let log = logs.get(tenant);
        if (!log) {
          log = { entries: [], start: 0, last: new Map(), dropped: 0 };
          logs.set(tenant, log);
        }
        log.entries.push({ seq, items });
        for (const item of items) log.last.set(item, seq);
        order.push(log);
      }
      while (order.length - orderStart > logged) {
        const oldest = order[orderStart] as TenantLog;
        order[orderStart] = undefined as unknown as TenantLog;
        orderStart += 1;
        const leaving = oldest.entries[oldest.start] as LogEntry;
        oldest.dropped = leaving.seq;
        for (const item of leaving.items) if (oldest.last.get(item) === leaving.seq) oldest.last.delete(item);
        oldest.start += 1;
        if (compact(oldest.entries, oldest.start)) {
          oldest.entries = oldest.entries.slice(oldest.start);
          oldest.start = 0;
        }
      }
      if (compact(order, orderStart)) {
        order = order.slice(orderStart);
        orderStart = 0;
      }
    },
    mark: () => seq,
    stamp(tenant: string) {
      const t = touched.get(tenant);
      return t !== undefined && t > floor ? t : floor;
    },
    changedSince(tenant: string, since: number) {
      if (since < floor) return undefined;
      const stamp = touched.get(tenant);
      if (stamp === undefined || stamp <= since) return [];
      const log = logs.get(tenant);
      // entries leave a log oldest first: one that left after `since` took ids with it
      if (!log || log.dropped > since) return undefined;
      const ids = new Set<number>();
      newestFirst(log, since, (entry) => {
        for (const id of entry.items) ids.add(id);
        return false;
      });
      return [...ids];
    },
    touchedSince(tenant: string, since: number, shows: Shows) {
      if (since < floor) return true;
      const stamp = touched.get(tenant);
      if (stamp === undefined || stamp <= since) return false;
      const log = logs.get(tenant);
      if (!log || log.dropped > since) return true;
      // a set of items, fewer than the writes since `since`: asked item by item
      if (typeof shows !== 'function' && !shows.alsoIf && shows.items.size < log.entries.length - firstAfter(log, since)) {
        for (const item of shows.items) if ((log.last.get(item) ?? 0) > since) return true;
        return false;
      }
      const accepts = typeof shows === 'function' ? shows : (item: number) => shows.items.has(item) || (shows.alsoIf?.(item) ?? false);
      // newest first: a cached answer is checked again from where it was last found valid
      let found = false;
      newestFirst(log, since, (entry) => {
        found = entry.items.some(accepts);
        return found;
      });
      return found;
    },
  };
}

let ledgerCount = 0;

interface SqliteLedger extends TenantLedger {
  /** Inside a write's transaction, first: the connection's change count (see `reading`). */
  changes(): number;
  /**
   * Inside a write's transaction, last: the storage reading at the start (`changesBefore`) and now.
   * One `PRAGMA data_version`, read last: a commit by another connection after the last explained
   * reading and before this transaction took the write lock shows in it, so `before` then differs
   * from what the ledger explained and everything moves.
   */
  reading(changesBefore: number): { before: string; after: string };
  /** After a commit: the write read `before` first and `after` last and touched only `tenants`. */
  explain(before: string, after: string, tenants: TouchedTenants): void;
}

const sqliteLedgers = new WeakMap<BetterSqlite3.Database, SqliteLedger>();

export function ledgerOf(database: Database): TenantLedger | undefined {
  return sqliteLedgerOf(database) ?? pgLedgers.get(database);
}

function sqliteLedgerOf(database: Database): SqliteLedger | undefined {
  const handle = database.sqlite;
  if (handle === undefined) return undefined;
  let ledger = sqliteLedgers.get(handle);
  if (!ledger) {
    ledger = createSqliteLedger(handle);
    sqliteLedgers.set(handle, ledger);
  }
  return ledger;
}

/**
 * SQLite: the ledger remembers the storage reading (`total_changes()` of the connection and
 * `PRAGMA data_version`, see storage-version.ts) that it can explain. A write that declares its
 * tenants reads the storage inside its own transaction, first and last (nothing else runs on the
 * connection meanwhile), and after its commit `explain`s the difference: only the declared tenants
 * move. Anything else (another connection or process committed, a write that declared nothing, a
 * rollback, a reset, a write between two declared ones) moves every tenant: the next `sync` sees a
 * reading it did not explain.
 */
function createSqliteLedger(handle: BetterSqlite3.Database): SqliteLedger {
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
  const stamps = createStamps();

  return {
    id: ++ledgerCount,
    seen: () => requestMemo()?.has(self) === true,
    observed(reading) {
      const version = Number(reading.slice(reading.lastIndexOf(':') + 1));
      if (Number.isSafeInteger(version)) requestMemo()?.set(self, version);
    },
    sync() {
      if (!handle.open || handle.inTransaction) return false;
      const now = readOncePerRequest();
      if (now !== explained) {
        stamps.moveAll();
        explained = now;
      }
      return true;
    },
    mark: stamps.mark,
    stamp: stamps.stamp,
    changedSince: stamps.changedSince,
    touchedSince: stamps.touchedSince,
    changes() {
      return changes.get() as number;
    },
    reading(changesBefore) {
      const version = dataVersion.get();
      return { before: `${changesBefore}:${version}`, after: `${changes.get()}:${version}` };
    },
    explain(before, after, tenants) {
      if (before !== explained) stamps.moveAll();
      if (after !== before) stamps.touch(tenants);
      explained = after;
    },
  };
}

/**
 * PostgreSQL: many connections, other processes, no change counter to read for free. What the
 * ledger reads instead is the request's storage reading, `pg_current_snapshot()` (one round trip
 * shared by the requests of an event-loop turn, storage-version.ts): it tells which transactions
 * completed since the last reading the ledger explained. A write that declares its tenants asks
 * for its own transaction id last inside its transaction (`close`; the pool answers from a row lock
 * or a write that already reported it, pg-statements.ts) and registers it with its tenants
 * before it commits; its `settle` moves them at once (the writer's next read sees its write), and a
 * reading that shows it completed moves them if that had not happened yet. Any other completed
 * transaction (another process, psql, a write that declared nothing, any database of the cluster)
 * moves every tenant. This process's own undeclared writes move every tenant as soon as they end:
 * the pool (pg-statements.ts) tells the ledger of every statement that is not a SELECT outside a
 * declared transaction, so a request that wrote sees what it wrote without a new reading.
 *
 * `sync()` is true only in a request that took a reading (after it arrived: it saw every commit
 * before that) and outside a transaction of that request.
 */
export interface PgLedger extends TenantLedger {
  /** a reading of `pg_current_snapshot()` as text, taken after some request arrived (once per reading, before `observed`) */
  observe(snapshot: string): void;
  /** this process wrote outside a declared write: every tenant moves now */
  unexplainedWrite(): void;
  /** a declared write's transaction id (text), registered before its commit */
  register(xid: string, tenants: TouchedTenants): void;
  /** after the commit of a registered write */
  settle(xid: string): void;
  /**
   * A write that can learn its transaction id only after its commit (one statement on its own,
   * runAsOneStatement) is on its way: a reading that shows a transaction completed that no one
   * registered may be showing that write, so the transaction waits (`explained`) instead of moving
   * every tenant at once. `end` gives what the write touched (xid undefined: it failed, or did not
   * say); once no such write is on its way, a transaction still waiting moves every tenant.
   */
  startUnregistered(): number;
  endUnregistered(token: number, xid: string | undefined, tenants: TouchedTenants): void;
  /** undefined when every completed transaction the readings showed is explained; else settles when they are */
  explained(): Promise<void> | undefined;
}

const pgLedgers = new WeakMap<Database, PgLedger>();

/** Made by openDatabase for a PostgreSQL database, before anything is read or written. */
export function createPgLedger(): PgLedger {
  const stamps = createStamps();
  const self = {};
  /** declared writes by transaction id, until a reading shows them completed */
  const writes = new Map<number, { tenants: TouchedTenants; applied: boolean }>();
  /** what the last explained readings say: transactions below `xmax` not in `running` completed */
  let known: { xmax: number; running: Set<number> } | undefined;
  /**
   * Writes on their way that register only after their commit (by token), and the completed
   * transactions no one registered meanwhile, each with the last such write started when a reading
   * showed it: only a write started by then can be it. Once every one of those has ended, a
   * transaction still here was not this process's: every tenant moves.
   */
  let tokens = 0;
  const unregistered = new Set<number>();
  const waiting = new Map<number, number>();
  const waiters: { bound: number; resolve: () => void }[] = [];
  const oldestUnregistered = () => {
    let oldest = Number.POSITIVE_INFINITY;
    for (const token of unregistered) if (token < oldest) oldest = token;
    return oldest;
  };
  const settleWaiting = () => {
    const oldest = oldestUnregistered();
    let unexplained = false;
    for (const [x, bound] of waiting) {
      if (bound < oldest) {
        waiting.delete(x);
        unexplained = true;
      }
    }
    if (unexplained) stamps.moveAll();
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const waiter = waiters[i] as { bound: number; resolve: () => void };
      if (waiter.bound < oldest || waiting.size === 0) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  const parse = (snapshot: string) => {
    const [, xmax, xip] = snapshot.split(':');
    const running = new Set<number>();
    if (xip) for (const x of xip.split(',')) running.add(Number(x));
    return { xmax: Number(xmax), running };
  };

  return {
    id: ++ledgerCount,
    sync() {
      const memo = requestMemo();
      return memo !== undefined && memo.get(self) === true && !memo.has(IN_TRANSACTION);
    },
    mark: stamps.mark,
    stamp: stamps.stamp,
    changedSince: stamps.changedSince,
    touchedSince: stamps.touchedSince,
    observed() {
      requestMemo()?.set(self, true);
    },
    seen: () => requestMemo()?.get(self) === true,
    observe(snapshot) {
      const now = parse(snapshot);
      if (!Number.isSafeInteger(now.xmax)) {
        stamps.moveAll();
        return;
      }
      if (known === undefined) {
        // the first reading: nothing is cached yet (no request could sync before it)
        known = now;
        return;
      }
      let unexplained = false;
      const completed = (x: number) => {
        const write = writes.get(x);
        if (write === undefined) {
          // maybe a write that registers after its commit: the reading waits for it (see startUnregistered)
          if (unregistered.size > 0) waiting.set(x, tokens);
          else unexplained = true;
        } else {
          if (!write.applied) stamps.touch(write.tenants);
          writes.delete(x);
        }
      };
      const running = new Set<number>();
      for (const x of known.running) {
        if (x < now.xmax && !now.running.has(x)) completed(x);
        else running.add(x);
      }
      if (now.xmax > known.xmax) {
        if (now.xmax - known.xmax > MAX_SPAN) {
          // far more transactions than this process registered: not worth telling apart
          unexplained = true;
          for (const x of writes.keys()) if (x < now.xmax && !now.running.has(x)) writes.delete(x);
        } else for (let x = known.xmax; x < now.xmax; x += 1) if (!now.running.has(x)) completed(x);
        for (const x of now.running) if (x >= known.xmax) running.add(x);
        known = { xmax: now.xmax, running };
      } else known = { xmax: known.xmax, running };
      if (unexplained) stamps.moveAll();
    },
    unexplainedWrite() {
      stamps.moveAll();
    },
    startUnregistered() {
      tokens += 1;
      unregistered.add(tokens);
      return tokens;
    },
    endUnregistered(token, xid, tenants) {
      unregistered.delete(token);
      if (xid !== undefined && waiting.delete(Number(xid))) stamps.touch(tenants);
      else if (xid !== undefined) {
        this.register(xid, tenants);
        this.settle(xid);
      } else stamps.moveAll();
      settleWaiting();
    },
    explained() {
      if (waiting.size === 0) return undefined;
      let bound = 0;
      for (const b of waiting.values()) if (b > bound) bound = b;
      return new Promise<void>((resolve) => {
        waiters.push({ bound, resolve });
        // a write blocked on a lock (another process's open transaction) must not hold every
        // reading: past MAX_WAIT_MS what still waits is taken as unexplained (everything moves;
        // such a write's late registration then finds its transaction completed and moves nothing)
        setTimeout(() => {
          if (!waiters.some((waiter) => waiter.resolve === resolve)) return;
          for (const [x, b] of waiting) if (b <= bound) waiting.delete(x);
          stamps.moveAll();
          settleWaiting();
          const still = waiters.findIndex((waiter) => waiter.resolve === resolve);
          if (still >= 0) waiters.splice(still, 1);
          resolve();
        }, MAX_WAIT_MS).unref();
      });
    },
    register(xid, tenants) {
      const x = Number(xid);
      // already seen completed (a single-statement write registers after its commit): it moved everything then
      if (known !== undefined && x < known.xmax && !known.running.has(x)) return;
      if (writes.size >= MAX_PENDING) {
        // a reading would have settled them: none comes, so nothing is cached on them either
        writes.clear();
        stamps.moveAll();
      }
      writes.set(x, { tenants, applied: false });
    },
    settle(xid) {
      const write = writes.get(Number(xid));
      if (write && !write.applied) {
        stamps.touch(write.tenants);
        write.applied = true;
      }
    },
  };
}

/** how long a reading waits for writes that register after their commit (createPgLedger explained) */
const MAX_WAIT_MS = 20;
/** transaction ids between two readings that the ledger tells apart one by one (more: everything moves) */
const MAX_SPAN = 4096;
const MAX_PENDING = 10_000;

/** the request memo's mark of a transaction in progress (db/transaction.ts) */
export const IN_TRANSACTION: object = {};

export function registerPgLedger(database: Database, ledger: PgLedger): void {
  pgLedgers.set(database, ledger);
}

/** the PostgreSQL ledger of `database`, if it has one (storage-version.ts gives it the readings) */
export function pgLedgerOf(database: Database): PgLedger | undefined {
  return pgLedgers.get(database);
}

/** Opens a write's part in the ledger, first inside its transaction (undefined: no ledger). */
export function beginLedgerWrite(database: Database): LedgerWrite | undefined {
  const sqlite = sqliteLedgerOf(database);
  if (sqlite) {
    const changesBefore = sqlite.changes();
    let readings: { before: string; after: string } | undefined;
    let touched: TouchedTenants = null;
    return {
      async close(_trx, tenants) {
        readings = sqlite.reading(changesBefore);
        touched = tenants;
      },
      settle() {
        if (readings) sqlite.explain(readings.before, readings.after, touched);
      },
    };
  }
  const pg = pgLedgers.get(database);
  if (!pg) return undefined;
  let xid: string | undefined;
  return {
    async close(trx, tenants) {
      if (tenants === null) return; // undeclared: the pool moves every tenant when it commits
      const result = await trx.executeQuery<{ roster_xid: string }>(CompiledQuery.raw(PG_XID_SQL));
      xid = result.rows[0]?.roster_xid;
      if (xid !== undefined) pg.register(xid, tenants);
    },
    settle() {
      if (xid !== undefined) pg.settle(xid);
    },
  };
}

/**
 * A tenant no declared write names: its stamp moves only when everything moves (a write the ledger
 * cannot explain). For values that only such writes change: API accounts and their tokens, say.
 */
export const UNDECLARED_WRITES_ONLY = '(undeclared writes)';

/** Where the ledger is now (when it can tell, see `sync`): taken BEFORE a read whose result is kept with `ItemDependency`s. */
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
export function validSince(database: Database, tenant: string, since: LedgerMark, shows: Shows | null): LedgerMark | undefined {
  const ledger = ledgerOf(database);
  if (!ledger?.sync() || ledger.id !== since.ledger) return undefined;
  if (ledger.stamp(tenant) <= since.seq) return since;
  if (shows === null) return undefined;
  if (ledger.touchedSince(tenant, since.seq, shows)) return undefined;
  return { ledger: ledger.id, seq: ledger.mark() };
}

/**
 * `validSince` inside the request's own transaction, for a value that transaction does not write
 * (the webhooks a write notifies): checked against the ledger as this request's reading left it and
 * this process's writes since, without a new reading. A change from another process after the
 * request's reading is not seen: it is concurrent with this request.
 */
export function validAsSeen(database: Database, tenant: string, since: LedgerMark): boolean {
  const ledger = ledgerOf(database);
  return ledger?.seen() === true && ledger.id === since.ledger && ledger.stamp(tenant) <= since.seq;
}

/** `ledgerMark` for validAsSeen: where the ledger is as this request saw it (undefined: it took no reading). */
export function markAsSeen(database: Database): LedgerMark | undefined {
  const ledger = ledgerOf(database);
  return ledger?.seen() ? { ledger: ledger.id, seq: ledger.mark() } : undefined;
}

const NO_TENANT: ReadonlyMap<string, readonly number[]> = new Map();

/**
 * Runs one write statement that changes no tenant's data (the webhook outbox's delivery states), or
 * only `tenants` (a hook deactivated: its store's webhooks), so that the ledger explains it and no read model is dropped (a delivery a few
 * ms apart used to make every Company read its users again): on SQLite outside a transaction,
 * straight on the connection between two readings; on PostgreSQL in a declared transaction of its
 * own; inside another transaction, through Kysely, unexplained.
 */
export async function runOutsideTenants(database: Database, query: { compile(): CompiledQuery }, tenants: TouchedTenants = NO_TENANT): Promise<{ numAffectedRows: bigint }> {
  const handle = database.sqlite;
  const sqlite = sqliteLedgerOf(database);
  const compiled = query.compile();
  if (handle?.open && !handle.inTransaction && sqlite) {
    const start = sqlite.reading(sqlite.changes()).before;
    const result = preparedStatement(handle, compiled.sql).run(...compiled.parameters);
    sqlite.explain(start, sqlite.reading(sqlite.changes()).after, tenants);
    return { numAffectedRows: BigInt(result.changes) };
  }
  const pg = pgLedgers.get(database);
  if (pg && !requestMemo()?.has(IN_TRANSACTION)) {
    // one statement that reports its transaction id: registered right after its commit (a reading
    // that saw it completed first moved every tenant instead; rare, and never stale)
    const declared = CompiledQuery.raw(`WITH roster_write AS (${compiled.sql} RETURNING 1) SELECT (SELECT count(*) FROM roster_write)::int AS n, pg_current_xact_id()::text ${DECLARED_END}`, [
      ...compiled.parameters,
    ]);
    const result = await database.kysely.executeQuery<{ n: number; roster_xid: string }>(declared);
    const row = result.rows[0];
    if (row) {
      pg.register(row.roster_xid, tenants);
      pg.settle(row.roster_xid);
    }
    return { numAffectedRows: BigInt(row?.n ?? 0) };
  }
  const result = await database.kysely.executeQuery(compiled);
  return { numAffectedRows: result.numAffectedRows ?? 0n };
}

/** A write written as one SQL statement with data-modifying WITH clauses (PostgreSQL's dialect), see runAsOneStatement. */
export interface OneStatementWrite {
  /** names the text for the prepared-statement cache (pg-statements.ts) */
  key: string;
  /**
   * the SQL, a SELECT list without FROM as its last part (the transaction id is appended to it):
   * built on the key's first run only, so the same for every write of a key (as runCompiled's `build`)
   */
  build(): string;
  parameters: readonly unknown[];
}

const oneStatementTexts = new Map<string, string>();

/** whether runAsOneStatement would run a write here (PostgreSQL, outside a transaction of this request) */
export function canRunAsOneStatement(database: Database): boolean {
  return database.dialect === 'postgres' && !requestMemo()?.has(IN_TRANSACTION);
}

/**
 * Runs a write as one statement of its own where the engine can (PostgreSQL: a statement is atomic
 * without BEGIN and COMMIT, and one round trip replaces the six to eight of a transaction that
 * reads, locks and writes step by step); undefined where it cannot (SQLite has no writes in WITH,
 * and nothing to save: its statements are in-process), or inside a transaction of this request:
 * then the caller runs its transaction. The statement reports its transaction id; `declare` says,
 * from its row, what it touched (an empty map when it wrote nothing), and the ledger registers
 * and settles it at once, as runOutsideTenants does. A serialization failure or deadlock runs it
 * again (nothing of it was committed).
 */
export async function runAsOneStatement<R>(database: Database, write: OneStatementWrite, declare: (row: R | undefined) => TouchedTenants): Promise<{ row: R | undefined } | undefined> {
  if (!canRunAsOneStatement(database)) return undefined;
  let text = oneStatementTexts.get(write.key);
  if (text === undefined) {
    text = `${write.build()}, pg_current_xact_id()::text ${DECLARED_END}`;
    oneStatementTexts.set(write.key, text);
    registerPreparedText(text);
  }
  const pg = pgLedgers.get(database);
  const token = pg?.startUnregistered();
  let row: (R & { roster_xid?: string }) | undefined;
  let tenants: TouchedTenants = null;
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        row = (await database.kysely.executeQuery<R & { roster_xid?: string }>(CompiledQuery.raw(text, [...write.parameters]))).rows[0];
        break;
      } catch (error) {
        if (attempt < 3 && isRetryableConflict(error)) continue;
        throw error;
      }
    }
    tenants = declare(row);
  } finally {
    // a failed statement or declaration: what it touched is not known, everything moves
    const xid = row?.roster_xid;
    if (pg && token !== undefined) pg.endUnregistered(token, typeof xid === 'string' ? xid : undefined, tenants);
  }
  return { row };
}
