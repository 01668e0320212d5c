import type { Database } from '../db/database.js';
import { type LedgerMark, validSince } from '../db/tenant-ledger.js';
import { createVersionedCache, type VersionedCache } from '../db/storage-version.js';
import { createWeightedLru, textWeight, type WeightedLru } from '../shared/weighted-lru.js';

/**
 * The one whole-answer cache of the HTTP edges (B2B REST routes that opt in, B2B GraphQL, Account
 * GraphQL): serialized answers, kept per database, tenant and data version, under a key the edge
 * builds from what the answer depends on (the caller's credential and the exact request).
 *
 * The protocol, the same everywhere:
 *   1. the edge takes the data version BEFORE it resolves the caller or reads anything;
 *   2. `get` under that version: a hit is sent as it is;
 *   3. otherwise the edge builds the answer; `keep` stores it only if it is not too long and the
 *      version read again AFTER building is still the one of step 1 (nothing was written meanwhile,
 *      by this process or another one: the version sources see outside writes, see
 *      db/storage-version.ts).
 * Errors are never kept (the edges only offer answers without errors).
 *
 * `tenant` names the slice of the data the version belongs to. Today every edge passes one global
 * version (any write anywhere moves it) and the tenant '*'; a per-tenant version (per account, store
 * or Company) replaces it without changing this module: each tenant's entries live and die with
 * its own version, so a write in one tenant no longer empties the others.
 */
export const MAX_CACHED_ANSWER_LENGTH = 256 * 1024;
/** requests longer than this (characters of the key) are answered, never kept */
export const MAX_CACHED_KEY_LENGTH = 64 * 1024;
/** what one cache keeps per database and tenant, in estimated bytes (a count alone allowed ~600 MB) */
const MAX_CACHED_WEIGHT = 24 * 1024 * 1024;
/**
 * Answers kept per database and tenant. Bounded mostly by weight: the mixed bench's 4,000 distinct
 * reads (40 callers, varied pages, searches and ids; answers of 1-6 KB) fit, where 1,000 entries
 * kept about a quarter of them and turned the rest into misses.
 */
const MAX_CACHED_ANSWERS = 8_000;

export interface AnswerScope {
  database: Database;
  /** undefined: this request cannot be cached (e.g. a SQLite transaction is open) */
  version: string | undefined;
  tenant?: string;
}

/** An answer: the serialized body, with what else the edge sends with it (e.g. headers). */
export interface Answer {
  body: string;
}

export interface AnswerCache<A extends Answer | string = string> {
  get(scope: AnswerScope, key: string): A | undefined;
  /** keeps `answer` under `key` when allowed (see above); `versionNow` reads the version again */
  keep(scope: AnswerScope, key: string, answer: A, versionNow: () => Promise<string | undefined>): Promise<void>;
}

/** A cache key from the parts an answer depends on (credential, request...). */
export function answerKey(...parts: readonly string[]): string {
  return parts.join('\u0000');
}

export function createAnswerCache<A extends Answer | string = string>(maxEntries = MAX_CACHED_ANSWERS): AnswerCache<A> {
  // one versioned cache per tenant: each slice of the data lives and dies with its own version
  const tenants = new Map<string, VersionedCache<A>>();
  const cacheOf = (tenant: string): VersionedCache<A> => {
    let cache = tenants.get(tenant);
    if (!cache) {
      cache = createVersionedCache<A>(maxEntries, MAX_CACHED_WEIGHT);
      tenants.set(tenant, cache);
    }
    return cache;
  };
  return {
    get(scope, key) {
      if (key.length > MAX_CACHED_KEY_LENGTH) return undefined;
      return cacheOf(scope.tenant ?? '*').get(scope.database, scope.version, key);
    },
    async keep(scope, key, answer, versionNow) {
      const version = scope.version;
      const length = typeof answer === 'string' ? answer.length : answer.body.length;
      if (version === undefined || key.length > MAX_CACHED_KEY_LENGTH || length > MAX_CACHED_ANSWER_LENGTH) return;
      if ((await versionNow()) !== version) return;
      cacheOf(scope.tenant ?? '*').set(scope.database, version, key, answer, textWeight(key) + textWeight(typeof answer === 'string' ? answer : answer.body));
    },
  };
}

/**
 * What an answer shows (db/tenant-ledger.ts): per tenant, the items it holds (user ids, and the
 * tenant's membership marker when it shows who is in it), or null when any change in the tenant
 * may change it. `mark` is the ledger's position taken before the caller was resolved and anything
 * was read.
 */
export interface ItemDependency {
  /** `alsoIf`: items outside `items` that the answer may show after all (a user a change may have made match a search) */
  shows: readonly { tenant: string; items: readonly number[] | null; alsoIf?: (item: number) => boolean }[];
  mark: LedgerMark;
}

/**
 * SQLite: whole answers kept per tenant and the items they show, so a write to one user of a
 * Company leaves the Company's other answers (pages without that user, other users) valid (issue
 * #16: with a tenth of requests writing, answers kept per data version, or per Company, were stale
 * before they were asked again). An answer is served while the ledger explains every change since
 * it was kept and none of them names one of its items; anything unexplained (another connection,
 * a reset, a Company or role change) drops them all, as the data version did.
 */
export interface ItemAnswerCache<A extends Answer | string = string> {
  get(database: Database, key: string): A | undefined;
  keep(database: Database, key: string, answer: A, dependency: ItemDependency): void;
}

interface ItemAnswer<A> {
  answer: A;
  /** the ledger position up to which every change was checked against the items */
  since: LedgerMark;
  shows: readonly { tenant: string; items: ReadonlySet<number> | null; alsoIf?: (item: number) => boolean }[];
}

export function createItemAnswerCache<A extends Answer | string = string>(): ItemAnswerCache<A> {
  const perDatabase = new WeakMap<Database, WeightedLru<ItemAnswer<A>>>();
  return {
    get(database, key) {
      const entries = perDatabase.get(database);
      if (!entries || key.length > MAX_CACHED_KEY_LENGTH) return undefined;
      const entry = entries.get(key);
      if (!entry) return undefined;
      let since = entry.since;
      for (const { tenant, items, alsoIf } of entry.shows) {
        const valid = validSince(database, tenant, entry.since, items === null ? null : { items, alsoIf });
        if (!valid) {
          entries.delete(key);
          return undefined;
        }
        // each tenant is checked from the same position; all valid: valid up to the latest
        if (valid.seq > since.seq) since = valid;
      }
      entry.since = since;
      return entry.answer;
    },
    keep(database, key, answer, dependency) {
      const text = typeof answer === 'string' ? answer : answer.body;
      if (key.length > MAX_CACHED_KEY_LENGTH || text.length > MAX_CACHED_ANSWER_LENGTH || dependency.shows.length === 0) return;
      let entries = perDatabase.get(database);
      if (!entries) {
        entries = createWeightedLru<ItemAnswer<A>>({ maxEntries: MAX_CACHED_ANSWERS, maxWeight: MAX_CACHED_WEIGHT });
        perDatabase.set(database, entries);
      }
      const shows = dependency.shows.map(({ tenant, items, alsoIf }) => ({ tenant, items: items === null ? null : new Set(items), ...(alsoIf ? { alsoIf } : {}) }));
      entries.set(key, { answer, since: dependency.mark, shows }, textWeight(key) + textWeight(text));
    },
  };
}
