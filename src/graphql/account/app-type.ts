import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { App } from '../../domain/users/user-types.js';
import { createConnectionTypes } from './connection-types.js';
import { appGlobalId } from './global-ids.js';

export const AppType = new GraphQLObjectType<App>({
  name: 'App',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID), description: 'bc/account/app/{app_id}', resolve: (s) => appGlobalId(s.id) },
    name: { type: GraphQLString },
  },
});

export const { connection: AppConnectionType, edge: AppEdgeType } = createConnectionTypes<App>('App', () => AppType);
