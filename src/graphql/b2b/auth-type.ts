export const authTypeDefs = /* GraphQL */ `
  extend type Mutation {
    """
    Login to a store with Bigcommerce user email and password.
    Doesn't require a Token.
    """
    login(
      """
      An object with a store hash, email and password.
      This field is required.
      """
      loginData: UserLoginType!
    ): UserLogin

    """Authorize using a Bigcommerce token."""
    authorization(
      """
      An object with a bigcommerce token and channel id.
      This field is required.
      """
      authData: UserAuthType!
    ): UserAuthorization
  }

  """
  Login to a store with Bigcommerce user email and password.
  Doesn't require a Token.
  """
  type UserLogin {
    result: UserAuthResultType
  }

  type UserAuthResultType {
    """The BundleB2B token"""
    token: String
    """The user info"""
    user: UserType
    """The user's login type"""
    loginType: Int
    """Storefront login token for Headless API"""
    storefrontLoginToken: String
    """The user's permissions"""
    permissions: [AuthRolePermissionType]
  }

  type AuthRolePermissionType {
    """The permission code"""
    code: String
    """The permission level"""
    permissionLevel: Int
  }

  input UserLoginType {
    """The store hash of Bigcommerce store. Required"""
    storeHash: String!
    """The Bigcommerce user email. Required"""
    email: String!
    """The Bigcommerce password. Required"""
    password: String!
    """The Bigcommerce channel id"""
    channelId: Int = 1
    """Redirect URL for storefront login token"""
    redirectUrl: String = "#/orders"
  }

  """Authorize using a Bigcommerce token."""
  type UserAuthorization {
    result: UserAuthResultType
  }

  input UserAuthType {
    """The Bigcommerce token"""
    bcToken: String!
    """The Bigcommerce channel id"""
    channelId: Int = 1
  }
`;
