import type { Company } from '../../domain/companies/company-types.js';
import type { CompanyUser, ExtraField } from '../../domain/company-users/company-user-types.js';
import { isAppError } from '../../shared/errors.js';
import type { B2bResolverMap } from './b2b-schema.js';
import type { B2bContext } from './context.js';
import { type ConnectionArgs, encodeUserCursor, toUserPaging } from './paging.js';
import { relayPage } from '../engine/relay.js';

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
    Roster: accepted because the Buyer Portal may send it (the label of the role it picked); the role
    is chosen by companyRoleId or role, never by name, so this is ignored.
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
    every channel of its store, so there is no channel to add: ignored.
    """
    addChannel: Boolean = false
    """
    Roster: accepted because the Buyer Portal may send it (the label of the role it picked); the role
    is chosen by companyRoleId or role, never by name, so this is ignored.
    """
    companyRoleName: String
  }

  input UserExtraField {
    fieldName: String!
    fieldValue: String!
  }
`;

export interface UserNode {
  id: string;
  createdAt: number;
  updatedAt: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  bcId: number;
  role: number;
  masqueradingCompanyId: number | null;
  uuid: string | null;
  extraFields: ExtraField[];
  companyRoleId: number | null;
  companyRoleName: string | null;
  /** not a schema field: where `companyInfo` looks */
  storeHash: string;
  companyId: number;
}

const toSeconds = (ms: number) => Math.floor(ms / 1000);

/** Domain user → `UserType`: `id` a string (ID), `bcId`/`role`/`companyRoleId` numbers, times in unix seconds. */
export function toUserNode(user: CompanyUser): UserNode {
  return {
    id: String(user.id),
    createdAt: toSeconds(user.createdAt),
    updatedAt: toSeconds(user.updatedAt),
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phone: user.phone,
    bcId: user.customerId,
    role: user.role,
    // only a Super Admin masquerades; Roster does not model masquerading yet
    masqueradingCompanyId: null,
    uuid: user.uuid,
    extraFields: user.extraFields,
    companyRoleId: user.companyRoleId,
    companyRoleName: user.companyRoleName,
    storeHash: user.storeHash,
    companyId: user.companyId,
  };
}

interface UsersArgs extends ConnectionArgs {
  companyId: number;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  role?: number | null;
  search?: string | null;
  companyRoleId?: number | null;
}

interface UserInputArgs {
  companyId: number;
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null;
  role?: number | null;
  companyRoleId?: number | null;
  uuid?: string | null;
  acceptEmail?: boolean | null;
  extraFields?: ({ fieldName: string; fieldValue: string } | null)[] | null;
  addChannel?: boolean | null;
  companyRoleName?: string | null;
}

interface UserUpdateInputArgs {
  companyId: number;
  userId: number;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  role?: number | null;
  companyRoleId?: number | null;
  uuid?: string | null;
  extraFields?: ({ fieldName: string; fieldValue: string } | null)[] | null;
  email?: string | null;
  addChannel?: boolean | null;
  companyRoleName?: string | null;
}

/** GraphQL `null` on an optional input means "not given" (graphene's behaviour); only values reach the domain. */
function given<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** An optional filter: absent, null or "" filters nothing. */
function filterText(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value.trim() === '' ? undefined : value;
}

function extraFieldsOf(value: UserInputArgs['extraFields']): unknown {
  if (value === null || value === undefined) return undefined;
  return value.filter((item) => item !== null);
}

/**
 * `users(role:, companyRoleId:)` take Decimals: a role value 0-4 as REST's `role` query (§13 #4) and
 * a whole role id. Bad values are reported to the domain, which raises them after the permission
 * and scope checks (§14 #10 order).
 */
function roleFilter(value: number | null | undefined, invalid: Record<string, string[]>): number[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 4) {
    invalid.role = [`"${value}" is not a valid choice.`];
    return undefined;
  }
  return [value];
}

function companyRoleFilter(value: number | null | undefined, invalid: Record<string, string[]>): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    invalid.companyRoleId = ['A valid integer is required.'];
    return undefined;
  }
  return value;
}

export const userResolvers: B2bResolverMap = {
  Query: {
    async users(_root, args: UsersArgs, ctx: B2bContext) {
      const principal = await ctx.principal();
      const paging = toUserPaging(args);
      const invalid: Record<string, string[]> = {};
      const roles = roleFilter(args.role, invalid);
      const companyRoleId = companyRoleFilter(args.companyRoleId, invalid);
      const search = filterText(args.search);
      const email = filterText(args.email);
      const firstName = filterText(args.firstName);
      const lastName = filterText(args.lastName);
      const page = await ctx.services.companyUsers.list(principal, {
        companyId: args.companyId,
        ...(search !== undefined ? { search } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(firstName !== undefined ? { firstName } : {}),
        ...(lastName !== undefined ? { lastName } : {}),
        ...(roles !== undefined ? { roles } : {}),
        ...(companyRoleId !== undefined ? { companyRoleId } : {}),
        paging: {
          limit: paging.limit,
          offset: paging.offset,
          ...(paging.afterId !== undefined ? { afterId: paging.afterId } : {}),
          ...(paging.beforeId !== undefined ? { beforeId: paging.beforeId } : {}),
          ...(paging.fromEnd ? { fromEnd: true } : {}),
        },
        ...(Object.keys(invalid).length > 0 ? { invalid } : {}),
      });
      if (page.dependsOn) ctx.showed(page.dependsOn);
      return { totalCount: page.totalCount, ...relayPage(page, (user) => encodeUserCursor(user.id), toUserNode) };
    },

    async user(_root, args: { companyId: number; userId: number }, ctx: B2bContext) {
      const principal = await ctx.principal();
      const user = await ctx.services.companyUsers.get(principal, { userId: args.userId }, { companyId: args.companyId });
      ctx.showed({ companyId: user.companyId, items: [user.id] });
      return toUserNode(user);
    },
  },

  Mutation: {
    async userCreate(_root, args: { userData: UserInputArgs }, ctx: B2bContext) {
      const principal = await ctx.principal();
      const data = args.userData;
      // `acceptEmail`: Roster records the welcome e-mail as an event either way (nothing is sent).
      // `companyRoleName`: a label the portal may echo; the role comes from companyRoleId or role.
      const input = {
        companyId: data.companyId,
        email: data.email,
        firstName: data.firstName,
        lastName: data.lastName,
        phone: given(data.phone) ?? '',
        ...(given(data.role) !== undefined ? { role: data.role } : {}),
        ...(given(data.companyRoleId) !== undefined ? { companyRoleId: data.companyRoleId } : {}),
        ...(given(data.uuid) !== undefined ? { uuid: data.uuid } : {}),
        ...(extraFieldsOf(data.extraFields) !== undefined ? { extraFields: extraFieldsOf(data.extraFields) } : {}),
      };
      try {
        return { user: toUserNode(await ctx.services.companyUsers.create(principal, input, { missingRole: 'nonField' })) };
      } catch (error) {
        // `addChannel` ("add the current channel to the user if the e-mail exists", for userEmailCheck
        // type 7): a Company user in Roster may sign in on every channel of its store, so when the
        // e-mail already belongs to a user of this very Company there is nothing to add: that user is the result.
        if (data.addChannel === true && isAppError(error) && error.code === 'B2B_EMAIL_EXISTS') {
          const check = await ctx.services.companyUsers.checkEmail(principal, { email: data.email, companyId: data.companyId });
          if ((check.userType === 5 || check.userType === 7) && check.userInfo?.companyId === data.companyId) {
            return { user: toUserNode(await ctx.services.companyUsers.get(principal, { userId: check.userInfo.id }, { companyId: data.companyId })) };
          }
        }
        throw error;
      }
    },

    async userUpdate(_root, args: { userData: UserUpdateInputArgs }, ctx: B2bContext) {
      const principal = await ctx.principal();
      const data = args.userData;
      // partial (§14 #24): omitted or null fields keep their value. `email` (not in the dump; the portal
      // may send it) changes the e-mail under REST's rules; the current e-mail is a no-op.
      // `addChannel` and `companyRoleName` are accepted and ignored (see the SDL descriptions).
      const input = {
        ...(given(data.email) !== undefined ? { email: data.email } : {}),
        ...(given(data.firstName) !== undefined ? { firstName: data.firstName } : {}),
        ...(given(data.lastName) !== undefined ? { lastName: data.lastName } : {}),
        ...(given(data.phone) !== undefined ? { phone: data.phone } : {}),
        ...(given(data.role) !== undefined ? { role: data.role } : {}),
        ...(given(data.companyRoleId) !== undefined ? { companyRoleId: data.companyRoleId } : {}),
        ...(given(data.uuid) !== undefined ? { uuid: data.uuid } : {}),
        ...(extraFieldsOf(data.extraFields) !== undefined ? { extraFields: extraFieldsOf(data.extraFields) } : {}),
      };
      const user = await ctx.services.companyUsers.update(principal, { userId: data.userId }, input, {
        mode: 'partial',
        companyId: data.companyId,
        missingRole: 'nonField',
      });
      return { user: toUserNode(user) };
    },

    async userDelete(_root, args: { companyId: number; userId: number }, ctx: B2bContext) {
      const principal = await ctx.principal();
      await ctx.services.companyUsers.delete(principal, { userId: args.userId }, { companyId: args.companyId });
      return { message: 'Success' };
    },
  },

  UserType: {
    /** synchronous once the Company is cached: a page of 12 users costs no promise per node */
    companyInfo(user: UserNode, _args, ctx: B2bContext) {
      const company = ctx.company(user.storeHash, user.companyId);
      return company instanceof Promise ? company.then(toCompanyInfo) : toCompanyInfo(company);
    },
  },
};

function toCompanyInfo(company: Company | undefined) {
  if (!company) return null;
  return {
    companyId: String(company.id),
    companyName: company.name,
    companyAddress: [company.addressLine1, company.addressLine2].filter((line) => line !== null && line !== '').join(', ') || null,
    companyCountry: company.country,
    companyState: company.state,
    companyCity: company.city,
    companyZipCode: company.zipCode,
    phoneNumber: company.phone,
    // the Company's BigCommerce customer group is not modelled
    bcId: null,
  };
}
