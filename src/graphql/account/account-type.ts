import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { Store } from '../../domain/stores/store-repository.js';
import type { AccountMember, App } from '../../domain/users/user-types.js';
import { ACCOUNT_USER_ROWS_TENANT, ACCOUNT_USER_TOUCHES_TENANT, accountMembersTenant, MEMBERSHIP_CHANGED } from '../../domain/domain-events.js';
import { AppError } from '../../shared/errors.js';
import { AppConnectionType } from './app-type.js';
import { connectionArgs } from './connection-types.js';
import type { AccountContext } from './context.js';
import { accountGlobalId } from './global-ids.js';
import { type ConnectionArgs, toConnection, toPageRequest } from './pagination.js';
import { requireScopes } from './scope-guard.js';
import { StoreConnectionType } from './store-type.js';
import { AccountUsersFiltersInput, accountUserNode, toMemberFilter, UserConnectionType, type UsersFiltersArg } from './user-type.js';

/** The account named in the URL; fields load lazily. */
export interface AccountSource {
  uuid: string;
}

export const AccountInfoType = new GraphQLObjectType<{ name: string }>({
  name: 'AccountInfo',
  fields: {
    name: { type: GraphQLString, description: "The account's display name." },
  },
});

const idOf = (item: { id: number }) => item.id;
const identity = <T>(item: T) => item;

export const AccountType = new GraphQLObjectType<AccountSource, AccountContext>({
  name: 'Account',
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID), description: 'bc/account/account/{account_uuid}', resolve: (s) => accountGlobalId(s.uuid) },
    accountInfo: {
      type: AccountInfoType,
      resolve: requireScopes<AccountSource, unknown>(['account_read'], async (s, _args, context) => {
        const account = await context.services.accounts.findAccount(s.uuid);
        if (!account) throw new AppError('NOT_FOUND', 'Account not found');
        return { name: account.name };
      }),
    },
    users: {
      type: UserConnectionType,
      description: 'Users of the account; permissions and apps are store-scoped and empty here.',
      args: { ...connectionArgs, filters: { type: AccountUsersFiltersInput } },
      resolve: requireScopes<AccountSource, ConnectionArgs & { filters?: UsersFiltersArg | null }>(['account_users_read'], async (s, args, context) => {
        const request = toPageRequest(args);
        const filter = toMemberFilter(args.filters);
        const accounts = context.services.accounts;
        const page = await accounts.listMembers(s.uuid, request, filter);
        // what the page shows: these users' rows and their status here, and (but for an ids filter,
        // which names its users) who is in the account
        const ids = [...(filter?.userIds ?? []), ...page.items.map(idOf)];
        context.shown.push(
          { tenant: ACCOUNT_USER_ROWS_TENANT, items: ids },
          { tenant: ACCOUNT_USER_TOUCHES_TENANT, items: ids },
          { tenant: accountMembersTenant(s.uuid), items: filter?.userIds !== undefined && filter.emailKey === undefined ? ids : [...ids, MEMBERSHIP_CHANGED] },
        );
        return toConnection<AccountMember, unknown>(page, idOf, accountUserNode, () => accounts.countMembers(s.uuid, filter));
      }),
    },
    stores: {
      type: StoreConnectionType,
      args: connectionArgs,
      resolve: requireScopes<AccountSource, ConnectionArgs>(['account_stores_read'], async (s, args, context) => {
        const request = toPageRequest(args);
        const accounts = context.services.accounts;
        const page = await accounts.listStores(s.uuid, request);
        return toConnection<Store, Store>(page, idOf, identity, () => accounts.countStores(s.uuid));
      }),
    },
    apps: {
      type: AppConnectionType,
      args: connectionArgs,
      resolve: requireScopes<AccountSource, ConnectionArgs>(['account_apps_read'], async (s, args, context) => {
        const request = toPageRequest(args);
        const accounts = context.services.accounts;
        const page = await accounts.listApps(s.uuid, request);
        return toConnection<App, App>(page, idOf, identity, () => accounts.countApps(s.uuid));
      }),
    },
  }),
});
