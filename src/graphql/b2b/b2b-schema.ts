import { type GraphQLFieldResolver, type GraphQLSchema, buildSchema, isObjectType, printSchema } from 'graphql';
import { authTypeDefs } from './auth-type.js';
import { companyRoleTypeDefs } from './company-role-type.js';
import { companyTypeDefs } from './company-type.js';
import type { B2bContext } from './context.js';
import { emailCheckTypeDefs } from './email-check-type.js';
import { extraFieldsTypeDefs } from './extra-fields-type.js';
import { DecimalScalar, sharedTypeDefs } from './scalars.js';
import { userTypeDefs } from './user-type.js';

/**
 * The B2B storefront GraphQL schema: a compatible subset of the Buyer Portal's schema dump
 * (same names, arguments, defaults, result types and nullability) for the users operations.
 * SDL lives beside each type's resolvers; this file joins them. The printed schema is committed
 * as schema/b2b.graphql and a test fails when the two disagree.
 */
// biome-ignore lint/suspicious/noExplicitAny: parents and args are typed inside each resolver (graphql-js gives them untyped)
export type B2bResolver = GraphQLFieldResolver<any, B2bContext, any>;
export type B2bResolverMap = Record<string, Record<string, B2bResolver>>;

const typeDefs = [sharedTypeDefs, authTypeDefs, userTypeDefs, companyTypeDefs, companyRoleTypeDefs, emailCheckTypeDefs, extraFieldsTypeDefs];

/** The schema without resolvers: what is printed and checked against the dump. */
export function buildB2bSchemaShape(): GraphQLSchema {
  const schema = buildSchema(typeDefs.join('\n'));
  const decimal = schema.getType('Decimal');
  if (decimal) Object.assign(decimal, { serialize: DecimalScalar.serialize, parseValue: DecimalScalar.parseValue, parseLiteral: DecimalScalar.parseLiteral });
  return schema;
}

export function createB2bSchema(resolverMaps: readonly B2bResolverMap[]): GraphQLSchema {
  const schema = buildB2bSchemaShape();
  for (const map of resolverMaps) {
    for (const [typeName, fields] of Object.entries(map)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`No object type ${typeName} in the B2B schema`);
      const typeFields = type.getFields();
      for (const [fieldName, resolve] of Object.entries(fields)) {
        const field = typeFields[fieldName];
        if (!field) throw new Error(`No field ${typeName}.${fieldName} in the B2B schema`);
        field.resolve = resolve;
      }
    }
  }
  return schema;
}

export function printB2bSchema(): string {
  return `${printSchema(buildB2bSchemaShape())}\n`;
}
