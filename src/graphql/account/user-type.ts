import { GraphQLEnumType, GraphQLID, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { MemberFilter } from '../../domain/accounts/account-repository.js';
import { pageInMemory } from '../../domain/accounts/keyset-page.js';
import type { App, User } from '../../domain/users/user-types.js';
import { emailKey } from '../../db/dialect.js';
import { AppError } from '../../shared/errors.js';
import { AppConnectionType } from './app-type.js';
import { connectionArgs, createConnectionTypes } from './connection-types.js';
import { type AccountContext, membershipKey } from './context.js';
import { DateTimeScalar } from './date-time-scalar.js';
import { parseUserGlobalId, userGlobalId } from './global-ids.js';
import { type ConnectionArgs, toConnection, toPageRequest } from './pagination.js';
import { requireScopes } from './scope-guard.js';

/**
 * A user as seen through one membership (account-graphql.md §10 #18-#20): under Account.users the
 * account membership (permissions null, no apps); under Store.users that store membership; in the
 * removeUserFromStore payload the membership just removed.
 */
export type UserAppsSource = { kind: 'none' } | { kind: 'membership'; storeId: number } | { kind: 'fixed'; apps: App[] };

export interface UserNode extends User {
  permissions: string[] | null;
  appsSource: UserAppsSource;
}

const NO_APPS: UserAppsSource = { kind: 'none' };

function node(user: User, permissions: string[] | null, appsSource: UserAppsSource): UserNode {
  // spelled out rather than spread: this runs for every user on every page
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    locale: user.locale,
    status: user.status,
    lastLoginAt: user.lastLoginAt,
    updatedAt: user.updatedAt,
    permissions,
    appsSource,
  };
}

export function accountUserNode(user: User): UserNode {
  return node(user, null, NO_APPS);
}

export function storeUserNode(user: User & { storeId: number; permissions: string[] }): UserNode {
  return node(user, user.permissions, { kind: 'membership', storeId: user.storeId });
}

export function removedStoreUserNode(user: User & { permissions: string[]; apps: App[] }): UserNode {
  return node(user, user.permissions, { kind: 'fixed', apps: user.apps });
}

export const UserStatusEnum = new GraphQLEnumType({
  name: 'UserStatus',
  values: { ACTIVE: { value: 'ACTIVE' }, INACTIVE: { value: 'INACTIVE' }, PENDING: { value: 'PENDING' } },
});

const appIdOf = (app: App) => app.id;

export const UserType: GraphQLObjectType<UserNode, AccountContext> = new GraphQLObjectType<UserNode, AccountContext>({
  name: 'User',
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID), description: 'bc/account/user/{user_id}', resolve: (s) => userGlobalId(s.id) },
    email: { type: new GraphQLNonNull(GraphQLString) },
    firstName: { type: GraphQLString },
    lastName: { type: GraphQLString },
    locale: { type: GraphQLString },
    lastLoginAt: { type: DateTimeScalar, description: 'Null until the first sign-in.' },
    permissions: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)), description: 'Store permissions of this store membership; null outside a store.' },
    status: { type: UserStatusEnum },
    updatedAt: { type: DateTimeScalar },
    apps: {
      type: AppConnectionType,
      description: 'Apps granted to this user in this store; empty outside a store.',
      args: connectionArgs,
      resolve: requireScopes<UserNode, ConnectionArgs>(['account_apps_read'], async (s, args, context) => {
        const request = toPageRequest(args);
        let apps: App[];
        if (s.appsSource.kind === 'none') apps = [];
        else if (s.appsSource.kind === 'fixed') apps = s.appsSource.apps;
        else apps = await context.loaders.membershipApps.load(membershipKey(s.appsSource.storeId, s.id));
        return toConnection(pageInMemory(apps, appIdOf, request), appIdOf, (a) => a, () => apps.length);
      }),
    },
  }),
});

export const AccountUsersFiltersInput = new GraphQLInputObjectType({
  name: 'AccountUsersFiltersInput',
  fields: {
    ids: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) },
    email: { type: GraphQLString, description: 'Exact e-mail address, case-insensitive.' },
  },
});

export interface UsersFiltersArg {
  ids?: readonly string[] | null;
  email?: string | null;
}

export const MAX_FILTER_IDS = 500;

export function toMemberFilter(filters: UsersFiltersArg | null | undefined): MemberFilter | undefined {
  if (!filters) return undefined;
  const filter: MemberFilter = {};
  if (filters.ids !== undefined && filters.ids !== null) {
    if (filters.ids.length > MAX_FILTER_IDS) throw new AppError('INVALID_ID', `At most ${MAX_FILTER_IDS} ids may be given`);
    filter.userIds = [...new Set(filters.ids.map(parseUserGlobalId))];
  }
  if (filters.email !== undefined && filters.email !== null) {
    // no stored e-mail contains NUL (and PostgreSQL text cannot): such a filter matches nothing
    if (filters.email.includes('\u0000')) filter.userIds = [];
    else filter.emailKey = emailKey(filters.email);
  }
  return filter.userIds === undefined && filter.emailKey === undefined ? undefined : filter;
}

export const { connection: UserConnectionType, edge: UserEdgeType } = createConnectionTypes<UserNode>('User', () => UserType);
