export const emailCheckTypeDefs = /* GraphQL */ `
  extend type Query {
    """
    Check if a user email exists in B2B or BC, supports multi-storefront.
    Requires a B2B Token.
    """
    userEmailCheck(
      """
      User email to verify.
      This field is required.
      """
      email: String!
      """The id of the company."""
      companyId: Int = null
      """The store hash."""
      storeHash: String = ""
      """BC channel id."""
      channelId: Int = null
    ): UserEmailCheckType

    """
    Check if a customer email exists in BC, supports multi-storefront.
    Doesn't require a Token.
    """
    customerEmailCheck(
      """
      User email to verify.
      This field is required.
      """
      email: String!
      """
      The store hash.
      This field is required.
      """
      storeHash: String!
      """BC channel id."""
      channelId: Int = null
    ): CustomerEmailCheckType
  }

  type UserEmailCheckType {
    """
    1: not exist; 2: exist in BC; 3: exist more than one in BC; 4: exist in B3
    other company; 5: exist in B3 current company; 6: exist in B3 as super admin;
    7: exist in B3 current company other channel;
    """
    userType: Int
    userInfo: UserEmailCheckInfoType
  }

  type UserEmailCheckInfoType {
    """User id"""
    id: Int
    """User email"""
    email: String
    """User first name"""
    firstName: String
    """User last name"""
    lastName: String
    """Phone number"""
    phoneNumber: String
    """User role"""
    role: Int
    """Company name"""
    companyName: String
    """Origin BC channel id"""
    originChannelId: Int
    """Is user's password reset on login"""
    forcePasswordReset: Boolean
  }

  type CustomerEmailCheckType {
    """1: not exist; 2: exist in BC; 3: exist in BC other channel;"""
    userType: Int
  }
`;
