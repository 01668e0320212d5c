import type { FastifyBaseLogger } from 'fastify';
import type { MemberFilter } from '../../domain/accounts/account-repository.js';
import type { Page, PageRequest } from '../../domain/accounts/keyset-page.js';
import { membershipKey } from '../../domain/apps/app-repository.js';
import type { App, StoreMember } from '../../domain/users/user-types.js';
import type { AccountPrincipal } from '../../auth/account-auth.js';
import type { Services } from '../../services.js';
import { type BatchLoader, createBatchLoader } from './batch-loader.js';
import type { StorePageShown } from './store-pages.js';

/** Everything a resolver may use, built per request (services come from the request, never a closure). */
export interface AccountContext {
  services: Services;
  principal: AccountPrincipal;
  /** the account of the URL (= the token's account) */
  accountUuid: string;
  log: FastifyBaseLogger;
  loaders: AccountLoaders;
  /**
   * What the account-user reads of this request showed, per tenant (db/tenant-ledger.ts), for the
   * per-item answer cache: pushed by `account.users`.
   */
  shown: { tenant: string; items: readonly number[] | null }[];
  /**
   * The pages of store users this request showed (store-pages.ts), pushed by `Store.users`; null
   * once it showed one that cannot be kept per item (a filter, paging backward).
   */
  storePages: StorePageShown[] | null;
}

export interface AccountLoaders {
  storeMembers(request: PageRequest, filter: MemberFilter | undefined): BatchLoader<number, Page<StoreMember>>;
  readonly storeApps: BatchLoader<number, App[]>;
  readonly membershipApps: BatchLoader<string, App[]>;
}

export function createAccountLoaders(services: Services): AccountLoaders {
  const accounts = services.accounts;
  const storeMemberLoaders = new Map<string, BatchLoader<number, Page<StoreMember>>>();
  let storeApps: BatchLoader<number, App[]> | undefined;
  let membershipApps: BatchLoader<string, App[]> | undefined;
  return {
    storeMembers(request, filter) {
      const key = JSON.stringify([request, filter ?? null]);
      let loader = storeMemberLoaders.get(key);
      if (!loader) {
        loader = createBatchLoader((storeIds) => accounts.listStoreMembersBatch(storeIds, request, filter));
        storeMemberLoaders.set(key, loader);
      }
      return loader;
    },
    get storeApps() {
      storeApps ??= createBatchLoader((storeIds) => accounts.listStoreAppsBatch(storeIds));
      return storeApps;
    },
    get membershipApps() {
      membershipApps ??= createBatchLoader(async (keys) => {
        const pairs = keys.map((k) => {
          const [storeId, userId] = k.split(':').map(Number) as [number, number];
          return { storeId, userId };
        });
        const found = await accounts.listMembershipAppsBatch(pairs);
        return new Map(keys.map((k) => [k, found.get(k) ?? []]));
      }, 500);
      return membershipApps;
    },
  };
}

export { membershipKey };
