import { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { AccountMutationsType } from './account-mutations-type.js';
import { type AccountSource, AccountType } from './account-type.js';
import type { AccountContext } from './context.js';
import { UserMutationsType } from './user-mutations-type.js';

/** The Account API schema (account-graphql.md §3); its printed form is committed as schema/account.graphql. */
const QueryType = new GraphQLObjectType<unknown, AccountContext>({
  name: 'Query',
  fields: {
    account: {
      type: AccountType,
      description: 'Always the account named in the URL.',
      resolve: (_s, _a, context): AccountSource => ({ uuid: context.accountUuid }),
    },
  },
});

const NAMESPACE = {};

const MutationType = new GraphQLObjectType<unknown, AccountContext>({
  name: 'Mutation',
  fields: {
    account: { type: AccountMutationsType, resolve: () => NAMESPACE },
    user: { type: UserMutationsType, resolve: () => NAMESPACE },
  },
});

export function createAccountSchema(): GraphQLSchema {
  return new GraphQLSchema({ query: QueryType, mutation: MutationType });
}
