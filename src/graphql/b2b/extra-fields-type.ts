import { listExtraFieldConfigs } from '../../domain/company-users/extra-field-configs.js';
import type { B2bResolverMap } from './b2b-schema.js';
import type { B2bContext } from './context.js';

export const extraFieldsTypeDefs = /* GraphQL */ `
  extend type Query {
    """
    Get extra fields configurations of a user.
    Requires a B2B Token.
    """
    userExtraFields: [ExtraFieldsConfigType]
  }

  type ExtraFieldsConfigType {
    """Field name that config in you store"""
    fieldName: String
    """
    Field type of the extra field.0 means text type. 1 means textarea type. 2 means number type. 3 means dropdown type.
    """
    fieldType: Int
    """Is this field is required"""
    isRequired: Boolean
    """Default value of this field."""
    defaultValue: String
    """The maximum length of the value of this field. fieldType == 0"""
    maximumLength: String
    """The maximum number of rows of the value of this field. fieldType == 1"""
    numberOfRows: String
    """Maximum value of the field value. fieldType == 2"""
    maximumValue: String
    """List of all optional values for the field value. fieldType == 3"""
    listOfValue: [String]
    """Is this field visible to end user"""
    visibleToEnduser: Boolean
    """The label name of the field."""
    labelName: String
  }
`;

/**
 * The store's user extra-field configurations, derived from its users' data (see
 * domain/company-users/extra-field-configs.ts): an empty list when no user has extra fields.
 * Any valid token of the store may read them (the portal asks when its user dialog opens).
 */
export const extraFieldsResolvers: B2bResolverMap = {
  Query: {
    async userExtraFields(_root, _args, ctx: B2bContext) {
      const principal = await ctx.principal();
      const { services } = ctx;
      // kept by the domain for a while (its own time to live): not an answer for the answer cache
      ctx.notCacheable();
      return listExtraFieldConfigs(services.database, principal.storeHash, { now: services.clock.now(), version: services.dataVersion });
    },
  },
};
