export const companyRoleTypeDefs = /* GraphQL */ `
  extend type Query {
    """
    Get company roles, which can be searched by name, code.
    Requires a B2B Token.
    """
    companyRoles(
      """ID of the company, optional"""
      companyId: Int
      offset: Int
      before: String
      after: String
      first: Int
      last: Int
      search: String
    ): CompanyRolesTypeCountableConnection

    """
    Get company role detail, contains permissions of the role.
    Requires a B2B Token.
    """
    companyRole(
      """ID of the company, optional"""
      companyId: Int
      """ID of the role, required"""
      roleId: Int!
    ): CompanyRoleType
  }

  type CompanyRolesTypeCountableConnection {
    """Pagination data for this connection."""
    pageInfo: PageInfo!
    edges: [CompanyRolesTypeCountableEdge!]!
    """A total count of items in the collection."""
    totalCount: Int
  }

  type CompanyRolesTypeCountableEdge {
    """The item at the end of the edge."""
    node: CompanyRolesType!
    """A cursor for use in pagination."""
    cursor: String!
  }

  type CompanyRolesType implements Node {
    """ID of the role"""
    id: ID!
    """Role name"""
    name: String
    """
    Role type.
     1 is predefined, 2 is custom
    """
    roleType: Int
    """
    Role level.
     1 is store level
    """
    roleLevel: Int
  }

  type CompanyRoleType implements Node {
    """ID of the role"""
    id: ID!
    """Role name"""
    name: String
    """
    Role type.
     1 is predefined, 2 is custom
    """
    roleType: Int
    """
    Role level.
     1 is store level
    """
    roleLevel: Int
    """Permissions of the role"""
    permissions: [CompanyRolePermissionsType]
  }

  type CompanyRolePermissionsType implements Node {
    """ID of the permission"""
    id: ID!
    """Permissions name"""
    name: String
    """Whether the permission is custom"""
    isCustom: Boolean
    """Permissions code"""
    code: String
    """
    Permissions description.
      1 is user level, 2 is company level
    """
    permissionLevel: Int
  }
`;
