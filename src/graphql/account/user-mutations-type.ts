import { GraphQLID, GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import { normalizeEmail } from '../../domain/users/email.js';
import type { UserIdentity } from '../../domain/users/membership-service.js';
import { AppError } from '../../shared/errors.js';
import type { AccountContext } from './context.js';
import { parseStoreGlobalId, parseUserGlobalId, storeGlobalId } from './global-ids.js';
import { requireScopes } from './scope-guard.js';
import { removedStoreUserNode, type UserNode, UserType } from './user-type.js';

/** `mutation { user { ... } }` (account-graphql.md §4.7-§4.8). */

export const UserIdentityInput = new GraphQLInputObjectType({
  name: 'UserIdentityInput',
  description: 'Exactly one of id or email.',
  fields: { id: { type: GraphQLID }, email: { type: GraphQLString } },
});

export const AddUserToStoreInput = new GraphQLInputObjectType({
  name: 'AddUserToStoreInput',
  fields: {
    user: { type: new GraphQLNonNull(UserIdentityInput) },
    storeId: { type: new GraphQLNonNull(GraphQLID) },
  },
});

export const AddUserToStoreResult = new GraphQLObjectType({
  name: 'AddUserToStoreResult',
  fields: { storeId: { type: new GraphQLNonNull(GraphQLID) } },
});

export const RemoveUserFromStoreInput = new GraphQLInputObjectType({
  name: 'RemoveUserFromStoreInput',
  fields: {
    storeId: { type: new GraphQLNonNull(GraphQLID) },
    userId: { type: new GraphQLNonNull(GraphQLID) },
  },
});

export const RemoveUserFromStoreResult = new GraphQLObjectType<{ storeId: string; user: UserNode }, AccountContext>({
  name: 'RemoveUserFromStoreResult',
  fields: {
    storeId: { type: new GraphQLNonNull(GraphQLID) },
    user: {
      type: UserType,
      description: 'The user as the removed store membership described them.',
      resolve: requireScopes(['account_users_read'], (s) => s.user),
    },
  },
});

const USER_ID_PREFIX = 'bc/account/user/';

/** §10 #8, #10: exactly one of id/email; an e-mail written as `bc/account/user/{email}` is accepted. */
function toIdentity(user: { id?: string | null; email?: string | null }): UserIdentity {
  const hasId = user.id !== undefined && user.id !== null;
  const hasEmail = user.email !== undefined && user.email !== null;
  if (hasId === hasEmail) throw new AppError('USER_IDENTITY_AMBIGUOUS');
  if (hasId) return { userId: parseUserGlobalId(user.id as string) };
  let email = (user.email as string).trim();
  if (email.startsWith(USER_ID_PREFIX) && email.includes('@')) email = email.slice(USER_ID_PREFIX.length);
  return { email: normalizeEmail(email) };
}

interface AddUserToStoreArgs {
  input: { user: { id?: string | null; email?: string | null }; storeId: string };
}

interface RemoveUserFromStoreArgs {
  input: { storeId: string; userId: string };
}

export const UserMutationsType = new GraphQLObjectType<unknown, AccountContext>({
  name: 'UserMutations',
  fields: {
    addUserToStore: {
      type: AddUserToStoreResult,
      description: 'Adds a user to a store of the account: by id (an account member) or by e-mail (added to the account first). Idempotent.',
      args: { input: { type: new GraphQLNonNull(AddUserToStoreInput) } },
      resolve: requireScopes<unknown, AddUserToStoreArgs>(['account_users_write'], async (_s, { input }, context) => {
        const storeRef = parseStoreGlobalId(input.storeId);
        const identity = toIdentity(input.user);
        const outcome = await context.services.accounts.addUserToStore(context.accountUuid, storeRef, identity);
        if (outcome.invited) {
          context.log.info({ event: 'account.user_invited', accountUuid: context.accountUuid, userId: outcome.userId }, 'user invited to account');
        }
        return { storeId: storeGlobalId(outcome.store.hash) };
      }),
    },
    removeUserFromStore: {
      type: RemoveUserFromStoreResult,
      description: 'Removes a user from one store of the account. The store owner cannot be removed.',
      args: { input: { type: new GraphQLNonNull(RemoveUserFromStoreInput) } },
      resolve: requireScopes<unknown, RemoveUserFromStoreArgs>(['account_users_delete'], async (_s, { input }, context) => {
        const storeRef = parseStoreGlobalId(input.storeId);
        const userId = parseUserGlobalId(input.userId);
        const { store, member } = await context.services.accounts.removeUserFromStore(context.accountUuid, storeRef, userId);
        return { storeId: storeGlobalId(store.hash), user: removedStoreUserNode(member) };
      }),
    },
  },
});
