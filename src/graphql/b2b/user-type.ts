/**
 * SDL of `UserType`, its connection and the user queries and mutations, as in the Buyer Portal's
 * schema dump (descriptions included), plus the input extras the current portal sends (marked "Roster:").
 */
export const userTypeDefs = /* GraphQL */ `
  extend type Query {
    """
    List of company users.
    Requires a B2B Token.
    """
    users(
      """
      The id of the company.
      This field is required.
      """
      companyId: Int!
      offset: Int
      before: String
      after: String
      first: Int
      last: Int
      email: String
      firstName: String
      lastName: String
      role: Decimal
      search: String
      companyRoleId: Decimal
    ): UserTypeCountableConnection

    """
    Details of a company user.
    Requires a B2B Token.
    """
    user(
      """
      The id of the company.
      This field is required.
      """
      companyId: Int!
      """
      The id of the user.
      This field is required.
      """
      userId: Int!
    ): UserType
  }

  extend type Mutation {
    """
    Create a company user.
    Requires a B2B Token.
    """
    userCreate(
      """
      An object with user data.
      This field is required.
      """
      userData: UserInputType!
    ): UserCreate

    """
    Update a company user.
    Requires a B2B Token.
    """
    userUpdate(
      """
      An object with user data including its id.
      This field is required.
      """
      userData: UserUpdateInputType!
    ): UserUpdate

    """
    Delete a company user.
    Requires a B2B Token.
    """
    userDelete(
      """
      The id of the company.
      This field is required.
      """
      companyId: Int!
      """
      The id of the user.
      This field is required.
      """
      userId: Int!
    ): UserDelete
  }

  type UserTypeCountableConnection {
    """Pagination data for this connection."""
    pageInfo: PageInfo!
    edges: [UserTypeCountableEdge!]!
    """A total count of items in the collection."""
    totalCount: Int
  }

  type UserTypeCountableEdge {
    """The item at the end of the edge."""
    node: UserType!
    """A cursor for use in pagination."""
    cursor: String!
  }

  type UserType implements Node {
    id: ID!
    createdAt: Int!
    updatedAt: Int!
    firstName: String!
    lastName: String!
    email: String!
    phone: String
    bcId: Int!
    role: Int!
    masqueradingCompanyId: Int
    """The uuid of user"""
    uuid: String
    """extra fields of this user"""
    extraFields: [UserExtraFieldsValueType]
    """User company role"""
    companyRoleId: Int
    """User company role name"""
    companyRoleName: String
    """Company information of user"""
    companyInfo: CompanyInfoType
  }

  type UserExtraFieldsValueType {
    """The field name of extra field"""
    fieldName: String
    """The field value of extra field"""
    fieldValue: String
  }

  type CompanyInfoType {
    companyId: String
    companyName: String
    companyAddress: String
    companyCountry: String
    companyState: String
    companyCity: String
    companyZipCode: String
    phoneNumber: String
    bcId: String
  }

  """
  Create a company user.
  Requires a B2B Token.
  """
  type UserCreate {
    user: UserType
  }

  """
  Update a company user.
  Requires a B2B Token.
  """
  type UserUpdate {
    user: UserType
  }

  """
  Delete a company user.
  Requires a B2B Token.
  """
  type UserDelete {
    message: String
  }

  input UserInputType {
    """
    The id of the company.
    This field is required
    """
    companyId: Int!
    """
    User email.
    This field is required
    """
    email: String!
    """
    User first name.
    This field is required
    """
    firstName: String!
    """
    User last name.
    This field is required
    """
    lastName: String!
    """User phone number"""
    phone: String = ""
    """
    User role.
    (0-Admin, 1-Senior Buyer, 2-Junior Buyer).
    """
    role: Int
    """User company role id."""
    companyRoleId: Int
    """The uuid of user"""
    uuid: String = ""
    """
    Send welcome email to user.
    True or False
    """
    acceptEmail: Boolean = null
    """user extra fields"""
    extraFields: [UserExtraField]
    """
    Used for MSF store.
    Add current channel to user if email exists.
    """
    addChannel: Boolean = false
    """
    Roster: accepted because the Buyer Portal may send it; the role is chosen by companyRoleId or role.
    Used only when neither is given: the store's role with exactly this name (case-insensitive).
    """
    companyRoleName: String
  }

  input UserUpdateInputType {
    """
    The id of company.
    This field is required.
    """
    companyId: Int!
    """
    The id of user.
    This field is required.
    """
    userId: Int!
    """User first name"""
    firstName: String
    """User last name"""
    lastName: String
    """User phone number"""
    phone: String
    """
    User role.
    (0-Admin, 1-Senior Buyer, 2-Junior Buyer).
    """
    role: Int
    """User company role"""
    companyRoleId: Int
    """The uuid of user"""
    uuid: String
    """user extra fields"""
    extraFields: [UserExtraField]
    """
    Roster: accepted because the Buyer Portal may send it. A new e-mail for the user (same rules
    as REST: unique in the store); the current e-mail or omitted keeps it.
    """
    email: String
    """
    Roster: accepted because the Buyer Portal may send it. A Company user in Roster may sign in on
    every channel of its store, so there is no channel to add: accepted and ignored.
    """
    addChannel: Boolean = false
    """
    Roster: accepted because the Buyer Portal may send it. Used only when neither companyRoleId nor
    role is given: the store's role with exactly this name (case-insensitive).
    """
    companyRoleName: String
  }

  input UserExtraField {
    fieldName: String!
    fieldValue: String!
  }
`;
