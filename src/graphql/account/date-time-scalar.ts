import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { toIsoSeconds } from '../../shared/clock.js';

/** ISO-8601 UTC, second precision, trailing "Z" (account-graphql.md §3, §10 #28). Values are epoch ms inside. */
export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description: 'ISO-8601 UTC instant with second precision, e.g. "2023-04-12T15:17:25Z".',
  serialize(value) {
    if (typeof value === 'number' && Number.isFinite(value)) return toIsoSeconds(value);
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue(value) {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return ms;
  },
  parseLiteral(ast) {
    const ms = ast.kind === Kind.STRING ? Date.parse(ast.value) : Number.NaN;
    if (Number.isNaN(ms)) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return ms;
  },
});
