import { checkCustomerEmail } from '../../domain/company-users/customer-email-check.js';
import type { B2bResolverMap } from './b2b-schema.js';
import type { B2bContext } from './context.js';

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

/**
 * `userEmailCheck` needs `create_user` (§14 #26) and always answers about the token's store: the
 * optional `storeHash` argument is not needed and not used. `userType` is the domain's 1-7.
 */
export const emailCheckResolvers: B2bResolverMap = {
  Query: {
    async userEmailCheck(_root, args: { email: string; companyId?: number | null; storeHash?: string | null; channelId?: number | null }, ctx: B2bContext) {
      const principal = await ctx.principal();
      const result = await ctx.services.companyUsers.checkEmail(principal, {
        email: args.email,
        ...(args.companyId !== null && args.companyId !== undefined ? { companyId: args.companyId } : {}),
        ...(args.channelId !== null && args.channelId !== undefined ? { channelId: args.channelId } : {}),
      });
      const info = result.userInfo;
      return {
        userType: result.userType,
        userInfo: info
          ? {
              id: info.id,
              email: info.email,
              firstName: info.firstName,
              lastName: info.lastName,
              phoneNumber: info.phoneNumber,
              role: info.role,
              companyName: info.companyName,
              originChannelId: info.originChannelId,
              forcePasswordReset: info.forcePasswordReset,
            }
          : null,
      };
    },

    /** No token: the store comes from the arguments and the request counts against its quota. */
    async customerEmailCheck(_root, args: { email: string; storeHash: string; channelId?: number | null }, ctx: B2bContext) {
      await ctx.countRequest(args.storeHash);
      return { userType: await checkCustomerEmail(ctx.services.database, args) };
    },
  },
};
