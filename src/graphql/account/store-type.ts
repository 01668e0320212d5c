import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLString, responsePathAsArray } from 'graphql';
import { pageInMemory } from '../../domain/accounts/keyset-page.js';
import type { Store } from '../../domain/stores/store-repository.js';
import type { App, StoreMember } from '../../domain/users/user-types.js';
import { AppConnectionType } from './app-type.js';
import { connectionArgs, createConnectionTypes } from './connection-types.js';
import type { AccountContext } from './context.js';
import { storeGlobalId } from './global-ids.js';
import { type ConnectionArgs, toConnection, toPageRequest } from './pagination.js';
import { requireScopes } from './scope-guard.js';
import { AccountUsersFiltersInput, storeUserNode, toMemberFilter, UserConnectionType, type UsersFiltersArg } from './user-type.js';

const memberIdOf = (m: StoreMember) => m.id;
const appIdOf = (a: App) => a.id;

export const StoreType = new GraphQLObjectType<Store, AccountContext>({
  name: 'Store',
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID), description: 'bc/account/store/{store_hash}', resolve: (s) => storeGlobalId(s.hash) },
    name: { type: GraphQLString },
    storeHash: { type: GraphQLString, resolve: (s) => s.hash },
    users: {
      type: UserConnectionType,
      description: 'Users of this store, each described by their membership of it.',
      args: { ...connectionArgs, filters: { type: AccountUsersFiltersInput } },
      resolve: requireScopes<Store, ConnectionArgs & { filters?: UsersFiltersArg | null }>(['account_users_read'], async (s, args, context, info) => {
        const request = toPageRequest(args);
        const filter = toMemberFilter(args.filters);
        const page = await context.loaders.storeMembers(request, filter).load(s.id);
        // what the answer may be kept with (store-pages.ts): a page without filters, forward
        if (filter === undefined && request.direction === 'forward' && request.beforeId === undefined) {
          context.storePages?.push({ path: responsePathAsArray(info.path), store: s, request, ids: page.items.map(memberIdOf) });
        } else context.storePages = null;
        return toConnection(page, memberIdOf, storeUserNode, () => context.services.accounts.countStoreMembers(s, filter));
      }),
    },
    apps: {
      type: AppConnectionType,
      description: 'Apps installed in this store.',
      args: connectionArgs,
      resolve: requireScopes<Store, ConnectionArgs>(['account_apps_read'], async (s, args, context) => {
        const request = toPageRequest(args);
        const apps = await context.loaders.storeApps.load(s.id);
        return toConnection(pageInMemory(apps, appIdOf, request), appIdOf, (a) => a, () => apps.length);
      }),
    },
  }),
});

export const { connection: StoreConnectionType, edge: StoreEdgeType } = createConnectionTypes<Store>('Store', () => StoreType);
