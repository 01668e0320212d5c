import type { Database } from '../../db/database.js';
import { likeFoldOf } from '../../db/dialect.js';
import { isStorableText } from '../../db/lookup-guards.js';
import { ledgerOf, type TenantLedger } from '../../db/tenant-ledger.js';
import { createLedgerViewStore } from '../ledger-views.js';
import type { Company } from '../companies/company-types.js';
import { companyUsersTenant, MEMBERSHIP_CHANGED } from '../domain-events.js';
import { findUserById, listUserPage, type UserFilters } from './company-user-repository.js';
import type { CompanyUser, CompanyUserPage } from './company-user-types.js';

/**
 * A read model of a Company's users (issue #16): every user of the Company in list order
 * (id descending), frozen, kept under the Company's tenant stamp (db/tenant-ledger.ts). A write to
 * the Company's users moves the stamp and names the users it touched: the view re-reads those users
 * (one indexed read each) instead of the Company; anything the ledger cannot explain (another
 * process, a reset, a Company or role change) makes it read the whole Company again. A page, a
 * role filter or one user is then a slice of memory: no SQL, no row objects built per request.
 *
 * What it answers: offset pages filtered by search (`q`, as storage's ILIKE/LIKE matches, see likeFoldOf), roles and the
 * own-records rule; a user by id. Everything else (field filters, cursors) stays on SQL. Only Companies of up to
 * MAX_VIEW_USERS users get a view; at most MAX_VIEWED_USERS users are held in all.
 */
export interface CompanyUserViews {
  /** the page, or undefined when the view cannot answer it (the ledger cannot tell, a filter or search it does not hold, a big Company) */
  page(company: Company, filters: UserFilters, paging: { limit: number; offset: number }): Promise<CompanyUserPage | undefined>;
  /** the user when it is one of `company`'s (undefined: not known here, ask storage) */
  user(company: Company, userId: number): Promise<CompanyUser | undefined>;
  /**
   * Told by a write, right after its commit (no I/O in between): `user` as that write left it
   * (its RETURNING row). A view that next brings this user up to date takes it instead of reading
   * it again, as long as the ledger names no change of the user after this write's.
   */
  written(user: CompanyUser): void;
  /** Companies read whole, views brought up to date user by user, answers from an up-to-date view; users a write handed over */
  readonly stats: { loads: number; patches: number; hits: number; handedOver: number };
}

export const MAX_VIEW_USERS = 5_000;
const MAX_VIEWED_USERS = 200_000;
/** more touched users than this since the view's stamp: read the Company again */
const MAX_PATCH = 32;
/** users handed over by writes, kept until a view takes them (oldest leave first) */
const MAX_WRITTEN = 1_000;

interface View {
  stamp: number;
  /** id descending, frozen */
  users: readonly CompanyUser[];
  /** foldOf() of each user, made by the first search of this view; null: some user's text cannot be folded here (storage searches) */
  folded?: string[] | null;
}

/** longer than any stored name or e-mail: storage answers (see company-user-repository.ts) */
const MAX_SEARCH = 1_000;

/**
 * What a search compares, per user object (a user patched in is a new object): the four texts
 * storage matches (first name, last name, "first last", e-mail), folded as the database's
 * case-insensitive match folds (db/dialect.ts likeFoldOf), joined by NUL, which no search holds
 * (isStorableText), so one `includes` never matches across two. Null: not foldable here.
 */
const folds = new WeakMap<CompanyUser, string | null>();
function foldOf(user: CompanyUser, fold: (text: string) => string | undefined): string | null {
  let f = folds.get(user);
  if (f === undefined) {
    f = fold(`${user.firstName}\u0000${user.lastName}\u0000${user.firstName} ${user.lastName}\u0000${user.email}`) ?? null;
    folds.set(user, f);
  }
  return f;
}

function foldedUsers(users: readonly CompanyUser[], fold: (text: string) => string | undefined): string[] | null {
  const folded: string[] = [];
  for (const user of users) {
    const f = foldOf(user, fold);
    if (f === null) return null;
    folded.push(f);
  }
  return folded;
}

/** where user `id` is in `users` (id descending), or -(where it would go) - 1 */
function indexOfId(users: readonly CompanyUser[], id: number): number {
  let low = 0;
  let high = users.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = (users[middle] as CompanyUser).id;
    if (at === id) return middle;
    if (at > id) low = middle + 1;
    else high = middle - 1;
  }
  return -low - 1;
}

export function createCompanyUserViews(database: Database, options: { maxUsers?: number } = {}): CompanyUserViews {
  const db = database.kysely;
  const fold = likeFoldOf(db);
  const maxUsers = options.maxUsers ?? MAX_VIEW_USERS;
  const stats = { loads: 0, patches: 0, hits: 0, handedOver: 0 };
  const store = createLedgerViewStore<number, View>({ maxHeld: MAX_VIEWED_USERS, sizeOf: (view) => view.users.length, isNewer: (kept, view) => kept.stamp > view.stamp });
  // per ledger: user id -> the user as a write left it, the Company tenant's stamp right after that
  // write settled, and whether a view took it already (each is handed over once; mayShow asks them all)
  const written = new WeakMap<TenantLedger, Map<number, { user: CompanyUser; stamp: number; taken: boolean }>>();

  /**
   * False only when user `id` of `companyId` is known not to pass `matches` now: a write of this
   * process left it so (its RETURNING row) and the ledger names no change of it since. True for
   * anything else (not known, changed since, another Company, not foldable): the caller then counts
   * it as shown.
   */
  function mayShow(companyId: number, id: number, matches: (user: CompanyUser) => boolean): boolean {
    const ledger = ledgerOf(database);
    const entry = ledger ? written.get(ledger)?.get(id) : undefined;
    if (!ledger || !entry || entry.user.companyId !== companyId) return true;
    if (ledger.touchedSince(companyUsersTenant(companyId), entry.stamp, (item) => item === id)) return true;
    return matches(entry.user);
  }

  /** the user a write handed over, when no change the ledger knows of came after that write's */
  function handedOver(ledger: TenantLedger, company: Company, id: number): CompanyUser | undefined {
    const entry = written.get(ledger)?.get(id);
    if (!entry || entry.taken) return undefined;
    entry.taken = true;
    if (entry.user.companyId !== company.id || ledger.touchedSince(companyUsersTenant(company.id), entry.stamp, (item) => item === id)) return undefined;
    stats.handedOver += 1;
    return entry.user;
  }

  async function readAll(company: Company): Promise<CompanyUser[]> {
    stats.loads += 1;
    const users = await listUserPage(db, company.id, {}, { offset: 0, limit: maxUsers + 1 });
    for (const user of users) Object.freeze(user);
    return users;
  }

  /** `view` brought up to `stamp` by re-reading the users the ledger says changed: each one replaced, removed or inserted in place */
  async function patch(company: Company, view: View, changed: readonly number[]): Promise<CompanyUser[]> {
    stats.patches += 1;
    const users = view.users.slice();
    const ids = changed.filter((id) => id >= 0); // MEMBERSHIP_CHANGED: the ids around it say who
    const ledger = ledgerOf(database);
    const read = await Promise.all(ids.map((id) => (ledger && handedOver(ledger, company, id)) || findUserById(db, company.storeHash, id)));
    for (const [i, id] of ids.entries()) {
      const user = read[i];
      const at = indexOfId(users, id);
      if (user && user.companyId === company.id) {
        Object.freeze(user);
        if (at >= 0) users[at] = user;
        else users.splice(-at - 1, 0, user);
      } else if (at >= 0) users.splice(at, 1);
    }
    return users;
  }

  function current(company: Company): Promise<View | undefined> | View | undefined {
    if (company.userCount > maxUsers) return undefined;
    const ledger = ledgerOf(database);
    if (!ledger?.sync()) return undefined;
    const stamp = ledger.stamp(companyUsersTenant(company.id));
    const view = store.get(ledger, company.id);
    if (view && view.stamp === stamp) {
      stats.hits += 1;
      return view;
    }
    return store.refreshOnce(ledger, company.id, String(stamp), () => refresh(ledger, company, view, stamp));
  }

  async function refresh(ledger: TenantLedger, company: Company, view: View | undefined, stamp: number): Promise<View | undefined> {
    const changed = view ? ledger.changedSince(companyUsersTenant(company.id), view.stamp) : undefined;
    const users = view && changed !== undefined && changed.length <= MAX_PATCH ? await patch(company, view, changed) : await readAll(company);
    if (users.length > maxUsers) return undefined;
    // Kept at the stamp taken before the read: a write that settled meanwhile names its users, and
    // the next use re-reads them whether this read saw the write or not
    const fresh: View = { stamp, users };
    store.keep(ledger, company.id, fresh, view);
    return fresh;
  }

  return {
    stats,
    written(user) {
      const ledger = ledgerOf(database);
      if (!ledger) return;
      let entries = written.get(ledger);
      if (!entries) {
        entries = new Map();
        written.set(ledger, entries);
      }
      entries.delete(user.id);
      // a copy: the view freezes what it takes, the write's caller keeps its own object
      entries.set(user.id, { user: Object.freeze({ ...user }), stamp: ledger.stamp(companyUsersTenant(user.companyId)), taken: false });
      if (entries.size > MAX_WRITTEN) entries.delete(entries.keys().next().value as number);
    },
    async page(company, filters, paging) {
      const { roles, onlyUserId, search: rawSearch, ...rest } = filters;
      if (Object.values(rest).some((v) => v !== undefined && v !== '')) return undefined;
      const search = rawSearch?.trim();
      // text storage cannot hold: storage's own answer (nothing matches)
      if (rawSearch !== undefined && (!isStorableText(rawSearch) || rawSearch.length > MAX_SEARCH)) return undefined;
      const needle = search ? fold?.(search) : undefined;
      if (search && needle === undefined) return undefined;
      const view = await current(company);
      if (!view) return undefined;
      const folded = needle === undefined ? undefined : (view.folded ??= foldedUsers(view.users, fold as (text: string) => string | undefined));
      if (folded === null) return undefined;
      const anyRole = roles === undefined || roles.length === 0;
      const { limit, offset } = paging;
      // unfiltered: the page is a slice, its total the maintained counter, as storage answers (company-user-pages.ts)
      const unfiltered = needle === undefined && anyRole && onlyUserId === undefined;
      // whether a user is in the filtered set; `f`: its folded text (null: not foldable here, counted in)
      const passes = (u: CompanyUser, f: string | null | undefined) =>
        (needle === undefined || f === null || (f as string).includes(needle)) && (anyRole || roles.includes(u.role)) && (onlyUserId === undefined || u.id === onlyUserId);
      let items: CompanyUser[];
      let totalCount: number;
      let dependsOn: CompanyUserPage['dependsOn'];
      if (unfiltered) {
        items = view.users.slice(offset, offset + limit);
        totalCount = company.userCount;
      } else {
        // one pass: the matching users counted and named, the page's kept
        items = [];
        const matchedIds: number[] = [];
        for (let i = 0; i < view.users.length; i += 1) {
          const u = view.users[i] as CompanyUser;
          if (!passes(u, folded?.[i])) continue;
          if (matchedIds.length >= offset && items.length < limit) items.push(u);
          matchedIds.push(u.id);
        }
        totalCount = matchedIds.length;
        // what the answer depends on: every user it matched (the page and the total), who is in the
        // Company, and any other user a write may have made match (mayShow); a write to a user that
        // matched neither before nor as that write left it leaves the answer as it is
        const matches = (user: CompanyUser) => passes(user, needle === undefined ? undefined : foldOf(user, fold as (text: string) => string | undefined));
        dependsOn = { companyId: company.id, items: [...matchedIds, MEMBERSHIP_CHANGED], alsoIf: (id: number) => mayShow(company.id, id, matches) };
      }
      if (offset >= totalCount) items.length = 0;
      return { items, totalCount, hasNextPage: offset + items.length < totalCount, hasPreviousPage: offset > 0, offset, limit, ...(dependsOn ? { dependsOn } : {}) };
    },
    async user(company, userId) {
      const view = await current(company);
      if (!view) return undefined;
      const at = indexOfId(view.users, userId);
      return at >= 0 ? view.users[at] : undefined;
    },
  };
}
