import { signHs256 } from '../../auth/b2b-jwt.js';
import { type SignInResult, peekStoreHash } from '../../auth/b2b-tokens.js';
import type { B2bResolverMap } from './b2b-schema.js';
import type { B2bContext } from './context.js';
import { toUserNode } from './user-type.js';

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

/** B2B Edition's app client id (b2b-users-rest.md §2.1): the issuer of storefront login JWTs. */
const B2B_CLIENT_ID = 'dl7c39mdpul6hyc489yk0vzxl6jesyx';

/** The portal's LoginTypes: 0 waiting, 1 first login, 2 general login. Roster keeps no login history: 2. */
const GENERAL_LOGIN = 2;

/**
 * `storefrontLoginToken`: a BigCommerce Customer Login JWT (`operation: "customer_login"`) for a
 * headless storefront, signed with the store's storefront secret (fixture
 * `settings.storefrontJwtSecrets`); null when the store has none configured.
 */
function storefrontLoginToken(ctx: B2bContext, storeHash: string, customerId: number, channelId: number | null, redirectUrl: string | null | undefined): string | null {
  const secret = ctx.services.settings.storefrontJwtSecrets[storeHash];
  if (secret === undefined) return null;
  return signHs256(
    {
      iss: B2B_CLIENT_ID,
      iat: Math.floor(ctx.services.clock.now() / 1000),
      jti: ctx.services.ids.next(),
      operation: 'customer_login',
      store_hash: storeHash,
      customer_id: customerId,
      ...(channelId !== null ? { channel_id: channelId } : {}),
      ...(redirectUrl ? { redirect_to: redirectUrl } : {}),
    },
    secret,
  );
}

function authResult(ctx: B2bContext, signedIn: SignInResult, redirectUrl: string | null | undefined) {
  const principal = signedIn.principal;
  const permissions = principal.kind === 'companyUser' ? [...principal.permissions].map(([code, permissionLevel]) => ({ code, permissionLevel })) : [];
  return {
    result: {
      token: signedIn.token,
      // null for a B2C customer: `UserType` describes Company users only
      user: signedIn.user ? toUserNode(signedIn.user) : null,
      loginType: GENERAL_LOGIN,
      storefrontLoginToken: storefrontLoginToken(ctx, signedIn.subject.storeHash, signedIn.subject.customerId, signedIn.subject.channelId, redirectUrl),
      permissions,
    },
  };
}

/**
 * Neither mutation needs a token: a token sent along (the portal's `authorization` while signed in)
 * is ignored. Wrong credentials are REST's `Customer auth failed` (code 400); a bad or expired
 * Current Customer JWT is an authentication failure (40101).
 */
export const authResolvers: B2bResolverMap = {
  Mutation: {
    async login(
      _root,
      args: { loginData: { storeHash: string; email: string; password: string; channelId?: number | null; redirectUrl?: string | null } },
      ctx: B2bContext,
    ) {
      const data = args.loginData;
      await ctx.countRequest(data.storeHash);
      const signedIn = await ctx.services.b2bTokens.signInWithPassword({
        storeHash: data.storeHash,
        email: data.email,
        password: data.password,
        channelId: data.channelId ?? null,
      });
      return authResult(ctx, signedIn, data.redirectUrl);
    },

    async authorization(_root, args: { authData: { bcToken: string; channelId?: number | null } }, ctx: B2bContext) {
      const data = args.authData;
      // the store named by the Current Customer JWT (as REST's /api/v2/login counts it, §14 #14)
      const claimedStore = peekStoreHash(data.bcToken);
      if (claimedStore !== undefined) await ctx.countRequest(claimedStore);
      const signedIn = await ctx.services.b2bTokens.signInWithCurrentCustomerJwt({ jwt: data.bcToken, channelId: data.channelId ?? null });
      return authResult(ctx, signedIn, undefined);
    },
  },
};
