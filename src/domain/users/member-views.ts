import type { Database } from '../../db/database.js';
import { ledgerOf, type TenantLedger } from '../../db/tenant-ledger.js';
import { createLedgerViewStore } from '../ledger-views.js';
import { ACCOUNT_USER_ROWS_TENANT, ACCOUNT_USER_TOUCHES_TENANT, accountMembersTenant, storeMembersTenant } from '../domain-events.js';
import { findStoreMember, listAllStoreMembers } from '../stores/store-repository.js';
import type { AccountMember, StoreMember } from './user-types.js';
import { findAccountMember, listAllAccountMembers } from '../accounts/account-repository.js';

/**
 * Read models of the Account API's member lists (issue #16), as the Company users views are for
 * the B2B side: every member of an account (or of a store) in id order, frozen, kept under three
 * tenant stamps (db/tenant-ledger.ts): the account's (or store's) membership, the user rows and the
 * users' `updatedAt` (shared by every account). A membership write names the users it added, removed
 * or changed there; a write of a user's row names the user: the view re-reads only those of them that can
 * be in it (an added member always comes with its account's or store's tenant). Anything the ledger
 * cannot explain reads the whole list again. Pages, counts and id filters are then memory.
 */
export interface MemberViews {
  /** the members of an account by id ascending, or undefined (the ledger cannot tell now, too many members) */
  account(uuid: string): Promise<readonly AccountMember[] | undefined>;
  /** the members of a store by id ascending, or undefined */
  store(storeId: number): Promise<readonly StoreMember[] | undefined>;
  readonly stats: { loads: number; patches: number; hits: number };
}

export const MAX_VIEW_MEMBERS = 5_000;
const MAX_VIEWED_MEMBERS = 200_000;
/** more changed members than this since the view's stamps: read the list again */
const MAX_PATCH = 32;

interface View<M> {
  own: number;
  rows: number;
  touches: number;
  /** id ascending, frozen */
  members: readonly M[];
}

/** where member `id` is in `members` (id ascending), or -(where it would go) - 1 */
export function indexOfMember(members: readonly { id: number }[], id: number): number {
  let low = 0;
  let high = members.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = (members[middle] as { id: number }).id;
    if (at === id) return middle;
    if (at < id) low = middle + 1;
    else high = middle - 1;
  }
  return -low - 1;
}

export function createMemberViews(database: Database, options: { maxMembers?: number } = {}): MemberViews {
  const maxMembers = options.maxMembers ?? MAX_VIEW_MEMBERS;
  const stats = { loads: 0, patches: 0, hits: 0 };
  const store = createLedgerViewStore<string, View<{ id: number }>>({
    maxHeld: MAX_VIEWED_MEMBERS,
    sizeOf: (view) => view.members.length,
    isNewer: (kept, view) => kept.own > view.own || kept.rows > view.rows || kept.touches > view.touches,
  });

  function current<M extends { id: number }>(
    tenant: string,
    readAll: (limit: number) => Promise<M[]>,
    readOne: (id: number) => Promise<M | undefined>,
  ): Promise<readonly M[] | undefined> | readonly M[] | undefined {
    const ledger = ledgerOf(database);
    if (!ledger?.sync()) return undefined;
    const own = ledger.stamp(tenant);
    const rows = ledger.stamp(ACCOUNT_USER_ROWS_TENANT);
    const touches = ledger.stamp(ACCOUNT_USER_TOUCHES_TENANT);
    const view = store.get(ledger, tenant) as View<M> | undefined;
    if (view && view.own === own && view.rows === rows && view.touches === touches) {
      stats.hits += 1;
      return view.members;
    }
    return store.refreshOnce(ledger, tenant, `${own}:${rows}:${touches}`, () => refresh(ledger, tenant, view, { own, rows, touches }, readAll, readOne));
  }

  /** `view` brought to `stamps`: the members the ledger names re-read, or the whole list */
  async function refresh<M extends { id: number }>(
    ledger: TenantLedger,
    tenant: string,
    view: View<M> | undefined,
    stamps: { own: number; rows: number; touches: number },
    readAll: (limit: number) => Promise<M[]>,
    readOne: (id: number) => Promise<M | undefined>,
  ): Promise<readonly M[] | undefined> {
    let members: M[] | undefined;
    if (view) {
      const joined = ledger.changedSince(tenant, view.own);
      const rowsChanged = ledger.changedSince(ACCOUNT_USER_ROWS_TENANT, view.rows);
      const touched = ledger.changedSince(ACCOUNT_USER_TOUCHES_TENANT, view.touches);
      const renamed = rowsChanged === undefined || touched === undefined ? undefined : [...rowsChanged, ...touched];
      if (joined !== undefined && renamed !== undefined) {
        // a user row change matters only to a member already here
        const ids = [...new Set([...joined, ...renamed.filter((id) => indexOfMember(view.members, id) >= 0)])].filter((id) => id >= 0);
        if (ids.length === 0) members = view.members as M[];
        else if (ids.length <= MAX_PATCH) {
          stats.patches += 1;
          members = view.members.slice();
          const read = await Promise.all(ids.map(readOne));
          for (const [i, id] of ids.entries()) {
            const member = read[i];
            const at = indexOfMember(members, id);
            if (member) {
              Object.freeze(member);
              if (at >= 0) members[at] = member;
              else members.splice(-at - 1, 0, member);
            } else if (at >= 0) members.splice(at, 1);
          }
        }
      }
    }
    if (members === undefined) {
      stats.loads += 1;
      members = await readAll(maxMembers + 1);
      for (const member of members) Object.freeze(member);
    }
    if (members.length > maxMembers) return undefined;
    // Kept at the stamps taken before the read: whatever moved since is re-read by the next use (a
    // write that settled meanwhile names its users, whether this read saw it or not). Keeping it only
    // when nothing moved during the read never kept a view under steady writes on PostgreSQL.
    store.keep(ledger, tenant, { ...stamps, members }, view);
    return members;
  }

  return {
    stats,
    account: async (uuid) =>
      current(
        accountMembersTenant(uuid),
        (limit) => listAllAccountMembers(database, uuid, limit),
        (id) => findAccountMember(database, uuid, id),
      ),
    store: async (storeId) =>
      current(
        storeMembersTenant(storeId),
        (limit) => listAllStoreMembers(database, storeId, limit),
        (id) => findStoreMember(database.kysely, storeId, id),
      ),
  };
}
