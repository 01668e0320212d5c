import type { Company } from '../../domain/companies/company-types.js';
import type { B2bResolverMap } from './b2b-schema.js';
import type { B2bContext } from './context.js';

export const companyTypeDefs = /* GraphQL */ `
  extend type Query {
    """
    Get a company details by user id.
    Requires a B2B Token.
    """
    userCompany(
      """
      BundleB2B user id.
      This field is required.
      """
      userId: Int!
    ): CompanyType
  }

  type CompanyType implements Node {
    """Unique ID of this company"""
    id: ID!
    """Company name"""
    companyName: String
    """The group name in BigCommerce's group. which must be unique"""
    bcGroupName: String
    """A brief introduction to the company"""
    description: String
    """Prices list ID of this company"""
    catalogId: String
    """Company status"""
    companyStatus: Int
    """Company address line 1"""
    addressLine1: String
    """Company address line 2"""
    addressLine2: String
    """Company city"""
    city: String
    """Company state"""
    state: String
    """Zip code of company city"""
    zipCode: String
    """Company country"""
    country: String
    """extra fields of this company"""
    extraFields: [ExtraFieldsValueType]
    """Company customer group id"""
    customerGroupId: Int
  }

  type ExtraFieldsValueType {
    """The field name of extra field"""
    fieldName: String
    """The field value of extra field"""
    fieldValue: String
  }
`;

/** Domain Company → `CompanyType` (`id` a string; address fields null when unknown). */
export function toCompanyNode(company: Company) {
  return {
    id: String(company.id),
    companyName: company.name,
    // not modelled by Roster: the BigCommerce customer group, description, price list, extra fields
    bcGroupName: null,
    description: null,
    catalogId: null,
    companyStatus: company.status,
    addressLine1: company.addressLine1,
    addressLine2: company.addressLine2,
    city: company.city,
    state: company.state,
    zipCode: company.zipCode,
    country: company.country,
    extraFields: [],
    customerGroupId: null,
  };
}

export const companyResolvers: B2bResolverMap = {
  Query: {
    /** yourself always; another user's Company with `get_user_detail` in scope (§14 #26) */
    async userCompany(_root, args: { userId: number }, ctx: B2bContext) {
      const principal = await ctx.principal();
      return toCompanyNode(await ctx.services.companyUsers.getUserCompany(principal, args.userId));
    },
  },
};
