import { GraphQLID, GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import { normalizeEmail } from '../../domain/users/email.js';
import { type AccountSource, AccountType } from './account-type.js';
import type { AccountContext } from './context.js';
import { accountGlobalId, userGlobalId } from './global-ids.js';
import { requireScopes } from './scope-guard.js';

/** `mutation { account { ... } }` (account-graphql.md §4.5-§4.6). */

export const AddUserToAccountInput = new GraphQLInputObjectType({
  name: 'AddUserToAccountInput',
  fields: { email: { type: new GraphQLNonNull(GraphQLString) } },
});

export const AddUserToAccountResult = new GraphQLObjectType<{ account: AccountSource }, AccountContext>({
  name: 'AddUserToAccountResult',
  fields: { account: { type: AccountType } },
});

export const RemoveUserFromAccountInput = new GraphQLInputObjectType({
  name: 'RemoveUserFromAccountInput',
  fields: { email: { type: new GraphQLNonNull(GraphQLString) } },
});

export const RemoveUserFromAccountResult = new GraphQLObjectType({
  name: 'RemoveUserFromAccountResult',
  fields: {
    accountId: { type: new GraphQLNonNull(GraphQLID) },
    userId: { type: new GraphQLNonNull(GraphQLID) },
  },
});

interface EmailInputArgs {
  input: { email: string };
}

export const AccountMutationsType = new GraphQLObjectType<unknown, AccountContext>({
  name: 'AccountMutations',
  fields: {
    addUserToAccount: {
      type: AddUserToAccountResult,
      description: 'Adds the person with this e-mail to the account (a PENDING user is created for an unknown e-mail). Idempotent.',
      args: { input: { type: new GraphQLNonNull(AddUserToAccountInput) } },
      resolve: requireScopes<unknown, EmailInputArgs>(['account_users_write'], async (_s, { input }, context) => {
        const email = normalizeEmail(input.email);
        const outcome = await context.services.accounts.addUserToAccount(context.accountUuid, email);
        if (outcome.invited) {
          // delivery is out of scope: the PENDING membership is the stored invitation, this line the event
          context.log.info({ event: 'account.user_invited', accountUuid: context.accountUuid, userId: outcome.userId }, 'user invited to account');
        }
        return { account: { uuid: context.accountUuid } };
      }),
    },
    removeUserFromAccount: {
      type: RemoveUserFromAccountResult,
      description: "Removes the user from the account and from the account's stores. The account owner cannot be removed.",
      args: { input: { type: new GraphQLNonNull(RemoveUserFromAccountInput) } },
      resolve: requireScopes<unknown, EmailInputArgs>(['account_users_delete'], async (_s, { input }, context) => {
        const email = normalizeEmail(input.email);
        const { userId } = await context.services.accounts.removeUserFromAccount(context.accountUuid, email);
        return { accountId: accountGlobalId(context.accountUuid), userId: userGlobalId(userId) };
      }),
    },
  },
});
