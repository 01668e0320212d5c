import type { GraphQLFieldResolver } from 'graphql';
import type { AccountScope } from '../../domain/accounts/scopes.js';
import { AppError } from '../../shared/errors.js';
import type { AccountContext } from './context.js';

/**
 * Wraps a resolver with its scope check (account-graphql.md §2, §10 #21-#22, §11 #6-#7): without
 * the scopes the field resolves to null with INSUFFICIENT_ACCESS_SCOPE naming only the missing ones,
 * and the wrapped resolver (a mutation, say) never runs.
 */
export function requireScopes<TSource, TArgs>(
  scopes: readonly AccountScope[],
  resolve: GraphQLFieldResolver<TSource, AccountContext, TArgs>,
): GraphQLFieldResolver<TSource, AccountContext, TArgs> {
  return (source, args, context, info) => {
    const granted = context.principal.scopes;
    for (const scope of scopes) {
      if (!granted.has(scope)) {
        throw new AppError('INSUFFICIENT_ACCESS_SCOPE', undefined, { requiredScopes: scopes.filter((s) => !granted.has(s)) });
      }
    }
    return resolve(source, args, context, info);
  };
}
