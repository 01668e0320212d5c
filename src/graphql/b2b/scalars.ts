import { describeValue } from '../../shared/describe-value.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * Types shared by every part of the B2B schema: the `Decimal` scalar (a python Decimal in the real
 * service; used here only as an argument type: `users(role:, companyRoleId:)`), Relay's `Node` and
 * `PageInfo`. Names, fields and nullability as in the Buyer Portal's schema dump.
 */
export const sharedTypeDefs = /* GraphQL */ `
  """
  The \`Decimal\` scalar type represents a python Decimal.
  """
  scalar Decimal

  """
  An object with an ID
  """
  interface Node {
    """
    The ID of the object
    """
    id: ID!
  }

  """
  The Relay compliant \`PageInfo\` type, containing data necessary to paginate this connection.
  """
  type PageInfo {
    """
    When paginating forwards, are there more items?
    """
    hasNextPage: Boolean!
    """
    When paginating backwards, are there more items?
    """
    hasPreviousPage: Boolean!
    """
    When paginating backwards, the cursor to continue.
    """
    startCursor: String
    """
    When paginating forwards, the cursor to continue.
    """
    endCursor: String
  }

  type Query
  type Mutation
`;

const NUMERIC = /^-?\d+(\.\d+)?$/;

function toDecimal(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  // the value echoed bounded: a client's value may be nested any depth or be a megabyte long
  throw new GraphQLError(`Decimal cannot represent value: ${typeof value === 'string' ? JSON.stringify(describeValue(value)) : describeValue(value)}`);
}

/**
 * Accepts a number or a numeric string (clients send `"companyRoleId": 5` or `"5"`); resolvers
 * receive a JS number. Serialised as a string, like graphene's Decimal (no output field uses it).
 */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'The `Decimal` scalar type represents a python Decimal.',
  serialize: (value) => String(toDecimal(value)),
  parseValue: toDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return toDecimal(ast.value);
    throw new GraphQLError('Decimal cannot represent a non-numeric value');
  },
});
