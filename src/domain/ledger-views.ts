import type { Database } from '../db/database.js';
import { type LedgerMark, ledgerMark, type TenantLedger, UNDECLARED_WRITES_ONLY, validSince } from '../db/tenant-ledger.js';

/**
 * Where the domain's read models (Company users views, Account member views) keep their views:
 * per tenant ledger (a database restored into a new handle starts with none), at most `maxHeld`
 * items in all (least recently refreshed leave first), and one refresh in flight per view and
 * stamp: concurrent requests that find a view stale (PostgreSQL reads are asynchronous) wait for the
 * same refresh instead of each reading it again.
 */
export interface LedgerViewStore<K, V> {
  get(ledger: TenantLedger, key: K): V | undefined;
  /** `view` becomes the view of `key`, unless a newer one (by `isNewer`) was kept meanwhile */
  keep(ledger: TenantLedger, key: K, view: V, replaced: V | undefined): void;
  /** `refresh()` for `key` at `stamp`, or the one already running for them */
  refreshOnce<R>(ledger: TenantLedger, key: K, stamp: string, refresh: () => Promise<R>): Promise<R>;
}

export function createLedgerViewStore<K, V>(options: { maxHeld: number; sizeOf: (view: V) => number; isNewer: (kept: V, view: V) => boolean }): LedgerViewStore<K, V> {
  const perLedger = new WeakMap<TenantLedger, Map<K, V>>();
  const refreshing = new Map<string, { stamp: string; done: Promise<unknown> }>();
  let held = 0;

  const viewsOf = (ledger: TenantLedger) => {
    let views = perLedger.get(ledger);
    if (!views) {
      views = new Map();
      perLedger.set(ledger, views);
    }
    return views;
  };

  return {
    get: (ledger, key) => perLedger.get(ledger)?.get(key),
    keep(ledger, key, view, replaced) {
      const views = viewsOf(ledger);
      const old = views.get(key);
      if (old !== undefined && old !== replaced && options.isNewer(old, view)) return;
      if (old !== undefined) held -= options.sizeOf(old);
      views.delete(key);
      views.set(key, view);
      held += options.sizeOf(view);
      for (const [k, v] of views) {
        if (held <= options.maxHeld) break;
        if (k === key) continue;
        views.delete(k);
        held -= options.sizeOf(v);
      }
    },
    refreshOnce(ledger, key, stamp, refresh) {
      const id = `${ledger.id}:${String(key)}`;
      const running = refreshing.get(id);
      if (running && running.stamp === stamp) return running.done as ReturnType<typeof refresh>;
      const done = refresh().finally(() => {
        if (refreshing.get(id)?.done === done) refreshing.delete(id);
      });
      refreshing.set(id, { stamp, done });
      return done;
    },
  };
}

/**
 * `read(key)` kept per key until a write the tenant ledger cannot explain; undefined where the
 * ledger cannot tell now (read storage then). At most 1,000 keys.
 */
export function keptUntilUndeclaredWrite<V>(database: Database, read: (key: string) => Promise<V | undefined>): (key: string) => Promise<{ value: V | undefined } | undefined> {
  const kept = new Map<string, { value: V | undefined; since: LedgerMark }>();
  return async (key) => {
    const entry = kept.get(key);
    if (entry && validSince(database, UNDECLARED_WRITES_ONLY, entry.since, null)) return entry;
    const mark = ledgerMark(database);
    if (mark === undefined) return undefined;
    const value = await read(key);
    if (kept.size >= 1_000) kept.clear();
    const fresh = { value, since: mark };
    kept.set(key, fresh);
    return fresh;
  };
}
