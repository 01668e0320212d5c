import type { B2bResolverMap } from './b2b-schema.js';
import type { B2bContext } from './context.js';
import { type ConnectionArgs, encodeOffsetCursor, toOffsetWindow } from './paging.js';

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

interface CompanyRolesArgs extends ConnectionArgs {
  companyId?: number | null;
  search?: string | null;
}

/**
 * Roles are store-wide (`roleLevel` 1): the optional `companyId` argument changes nothing. The list is
 * the predefined roles (ids 0-2) then the store's custom ones (§14 #27): a short list, paged in memory
 * with graphene's position cursors. Both need `get_roles` (§14 #26).
 */
export const companyRoleResolvers: B2bResolverMap = {
  Query: {
    async companyRoles(_root, args: CompanyRolesArgs, ctx: B2bContext) {
      const principal = await ctx.principal();
      const search = args.search ?? undefined;
      const all = await ctx.services.companyRoles.listRoles(principal, {
        ...(search !== undefined ? { search } : {}),
        offset: 0,
        limit: Number.MAX_SAFE_INTEGER,
      });
      const total = all.items.length;
      const window = toOffsetWindow(args, total);
      const items = all.items.slice(window.offset, window.offset + window.limit);
      const edges = items.map((role, index) => ({
        cursor: encodeOffsetCursor(window.offset + index),
        node: { id: String(role.id), name: role.name, roleType: role.roleType, roleLevel: role.roleLevel },
      }));
      return {
        totalCount: all.totalCount,
        edges,
        pageInfo: {
          hasNextPage: window.offset + items.length < total,
          hasPreviousPage: window.offset > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },

    async companyRole(_root, args: { companyId?: number | null; roleId: number }, ctx: B2bContext) {
      const principal = await ctx.principal();
      const role = await ctx.services.companyRoles.getRole(principal, args.roleId);
      return {
        id: String(role.id),
        name: role.name,
        roleType: role.roleType,
        roleLevel: role.roleLevel,
        // a permission has no id or display name of its own in Roster: its code is both its id and name
        permissions: role.permissions.map((p) => ({ id: p.code, name: p.code, isCustom: p.isCustom, code: p.code, permissionLevel: p.permissionLevel })),
      };
    },
  },
};
