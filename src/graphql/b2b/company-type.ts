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
