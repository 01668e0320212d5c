import type { Database } from '../../db/database.js';
import type { Clock } from '../../shared/clock.js';
import { listMembershipAppsBatch, countAccountApps, listAccountApps } from '../apps/app-repository.js';
import type { EventSink } from '../domain-events.js';
import { countStoreMembers, countStores, listAllStores, listStoreAppsBatch, listStoreMembersBatch, listStores, type Store, type StoreRef } from '../stores/store-repository.js';
import type { NormalizedEmail } from './email.js';
import {
  type AddUserToAccountOutcome,
  type AddUserToStoreOutcome,
  addUserToAccount,
  addUserToStore,
  removeUserFromAccount,
  removeUserFromStore,
  type UserIdentity,
} from './membership-service.js';
import type { AccountMember, App, RemovedStoreMember, StoreMember } from './user-types.js';
import { type Account, countAccountMembers, findAccount, listAccountMembers, type MemberFilter, withoutEmail } from '../accounts/account-repository.js';
import { type Page, type PageRequest, pageOfSorted } from '../accounts/keyset-page.js';
import { createMemberViews, indexOfMember, type MemberViews } from './member-views.js';
import { keptUntilUndeclaredWrite } from '../ledger-views.js';

/** accounts with more stores than this page them from storage */
const MAX_KEPT_STORES = 200;

/**
 * The Account API's domain (account-graphql.md): an account's members, stores and apps, and the
 * four membership mutations, as one service in `Services` like the B2B side's company-user service.
 * Member lists come from in-memory views kept exact by the tenant ledger (member-views.ts) where it
 * can tell, else page by keyset (keyset-page.ts) and count from maintained counters; the `*Batch` reads
 * serve a page of stores in one query each (GraphQL loaders). Writes are one transaction each,
 * their events read inside it (membership-service.ts).
 */
export interface AccountService {
  findAccount(uuid: string): Promise<Account | undefined>;
  listMembers(uuid: string, request: PageRequest, filter?: MemberFilter): Promise<Page<AccountMember>>;
  countMembers(uuid: string, filter?: MemberFilter): Promise<number>;
  listStores(uuid: string, request: PageRequest): Promise<Page<Store>>;
  countStores(uuid: string): Promise<number>;
  listApps(uuid: string, request: PageRequest): Promise<Page<App>>;
  countApps(uuid: string): Promise<number>;
  listStoreMembersBatch(storeIds: readonly number[], request: PageRequest, filter?: MemberFilter): Promise<Map<number, Page<StoreMember>>>;
  countStoreMembers(store: Store, filter?: MemberFilter): Promise<number>;
  listStoreAppsBatch(storeIds: readonly number[]): Promise<Map<number, App[]>>;
  listMembershipAppsBatch(memberships: readonly { storeId: number; userId: number }[]): Promise<Map<string, App[]>>;
  addUserToAccount(uuid: string, email: NormalizedEmail): Promise<AddUserToAccountOutcome>;
  removeUserFromAccount(uuid: string, email: NormalizedEmail): Promise<{ userId: number }>;
  addUserToStore(uuid: string, store: StoreRef, identity: UserIdentity): Promise<AddUserToStoreOutcome>;
  removeUserFromStore(uuid: string, store: StoreRef, userId: number): Promise<{ store: Store; member: RemovedStoreMember }>;
}

export function createAccountService(deps: { database: Database; clock: Clock; events?: EventSink; views?: MemberViews }): AccountService {
  const { database } = deps;
  const views = deps.views ?? createMemberViews(database);
  /** the members `filter` keeps (ids; an e-mail resolved to its user's id first), from a view */
  const kept = <M extends { id: number }>(members: readonly M[], filter: MemberFilter | undefined): readonly M[] => {
    if (filter?.userIds === undefined) return members;
    const found: M[] = [];
    for (const id of new Set(filter.userIds)) {
      const at = indexOfMember(members, id);
      if (at >= 0) found.push(members[at] as M);
    }
    return found.sort((a, b) => a.id - b.id);
  };
  // An account's row and its stores (when at most MAX_KEPT_STORES): changed only by writes the
  // ledger cannot explain (fixtures, the emulator, SQL); a Store or Account carries nothing the
  // API's own writes change (db/tenant-ledger.ts)
  const accountOf = keptUntilUndeclaredWrite(database, (uuid) => findAccount(database, uuid));
  const storesOf = keptUntilUndeclaredWrite(database, async (uuid) => {
    const read = await listAllStores(database, uuid, MAX_KEPT_STORES + 1);
    return read.length > MAX_KEPT_STORES ? undefined : Object.freeze(read.map((store) => Object.freeze(store)));
  });

  return {
    async findAccount(uuid) {
      const kept = await accountOf(uuid);
      return kept === undefined ? findAccount(database, uuid) : (kept.value ?? undefined);
    },
    async listMembers(uuid, request, emailOrIds) {
      const filter = await withoutEmail(database, emailOrIds);
      const members = await views.account(uuid);
      return members ? pageOfSorted(kept(members, filter), request) : listAccountMembers(database, uuid, request, filter);
    },
    async countMembers(uuid, emailOrIds) {
      const filter = await withoutEmail(database, emailOrIds);
      const members = await views.account(uuid);
      return members ? kept(members, filter).length : countAccountMembers(database, uuid, filter);
    },
    async listStores(uuid, request) {
      const stores = (await storesOf(uuid))?.value;
      return stores ? pageOfSorted(stores, request) : listStores(database, uuid, request);
    },
    async countStores(uuid) {
      const stores = (await storesOf(uuid))?.value;
      return stores ? stores.length : countStores(database, uuid);
    },
    listApps: (uuid, request) => listAccountApps(database, uuid, request),
    countApps: (uuid) => countAccountApps(database, uuid),
    async listStoreMembersBatch(storeIds, request, emailOrIds) {
      const filter = await withoutEmail(database, emailOrIds);
      const result = new Map<number, Page<StoreMember>>();
      for (const storeId of storeIds) {
        const members = await views.store(storeId);
        // one store without a view: storage answers them all, in one query
        if (!members) return listStoreMembersBatch(database, storeIds, request, filter);
        result.set(storeId, pageOfSorted(kept(members, filter), request));
      }
      return result;
    },
    async countStoreMembers(store, emailOrIds) {
      const filter = await withoutEmail(database, emailOrIds);
      const members = await views.store(store.id);
      return members ? kept(members, filter).length : countStoreMembers(database, store, filter);
    },
    listStoreAppsBatch: (storeIds) => listStoreAppsBatch(database, storeIds),
    listMembershipAppsBatch: (memberships) => listMembershipAppsBatch(database.kysely, memberships),
    addUserToAccount: (uuid, email) => addUserToAccount(deps, uuid, email),
    removeUserFromAccount: (uuid, email) => removeUserFromAccount(deps, uuid, email),
    addUserToStore: (uuid, store, identity) => addUserToStore(deps, uuid, store, identity),
    removeUserFromStore: (uuid, store, userId) => removeUserFromStore(deps, uuid, store, userId),
  };
}
