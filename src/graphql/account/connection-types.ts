import { GraphQLBoolean, type GraphQLFieldConfigArgumentMap, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { Lazy } from '../../domain/accounts/keyset-page.js';
import type { ConnectionSource, PageInfoSource } from './pagination.js';

/** Relay connection types shared by users, stores and apps (account-graphql.md §3, §6). */

async function settle(value: Lazy<boolean>): Promise<boolean> {
  return typeof value === 'function' ? value() : value;
}

export const PageInfoType = new GraphQLObjectType<PageInfoSource>({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean), resolve: (s) => (typeof s.hasNextPage === 'boolean' ? s.hasNextPage : settle(s.hasNextPage)) },
    hasPreviousPage: {
      type: new GraphQLNonNull(GraphQLBoolean),
      resolve: (s) => (typeof s.hasPreviousPage === 'boolean' ? s.hasPreviousPage : settle(s.hasPreviousPage)),
    },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});

export const CollectionInfoType = new GraphQLObjectType<{ totalItems: number }>({
  name: 'CollectionInfo',
  fields: {
    totalItems: { type: GraphQLInt, description: 'Total matching items, regardless of paging.' },
  },
});

export const connectionArgs: GraphQLFieldConfigArgumentMap = {
  first: { type: GraphQLInt },
  after: { type: GraphQLString },
  last: { type: GraphQLInt },
  before: { type: GraphQLString },
};

export function createConnectionTypes<N>(name: string, nodeType: () => GraphQLObjectType) {
  const edge = new GraphQLObjectType<{ cursor: string; node: N }>({
    name: `${name}Edge`,
    fields: () => ({
      cursor: { type: new GraphQLNonNull(GraphQLString) },
      node: { type: new GraphQLNonNull(nodeType()) },
    }),
  });
  const connection = new GraphQLObjectType<ConnectionSource<N>>({
    name: `${name}Connection`,
    fields: () => ({
      pageInfo: { type: new GraphQLNonNull(PageInfoType) },
      edges: { type: new GraphQLList(edge) },
      collectionInfo: {
        type: CollectionInfoType,
        resolve: async (s) => ({ totalItems: await s.totalItems() }),
      },
    }),
  });
  return { edge, connection };
}
