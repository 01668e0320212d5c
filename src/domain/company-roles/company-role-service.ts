import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/tables.js';
import { AppError } from '../../shared/errors.js';
import { authorize } from './authorize.js';
import type { B2bPrincipal } from './b2b-principal.js';
import { findStoredRole, listRolePermissions, listStoredRoles } from './company-role-repository.js';
import { isKnownPermissionCode, predefinedRoles } from './permission-codes.js';
import { isPredefinedRoleId, predefinedRolePermissions, type RolePermission, toPermissionMap } from './role-defaults.js';

/**
 * Company roles (b2b-users-rest.md §4, §7; §14 #26-27): the predefined roles 0 Admin, 1 Senior
 * Buyer, 2 Junior Buyer (`roleType` 1) followed by the store's custom roles (`roleType` 2), all with
 * `roleLevel` 1. Listing and reading a role need `get_roles` (403 B2B_FORBIDDEN otherwise); an
 * unknown role id is B2B_ROLE_NOT_FOUND (404).
 *
 * Public API:
 *   createCompanyRoleService({ database }) → CompanyRoleService
 *   service.listRoles(principal, { search?, offset, limit }) → { items: CompanyRole[], totalCount }
 *   service.getRole(principal, roleId) → CompanyRole (with permissions)
 *   resolveRolePermissions(db, storeHash, role, companyRoleId) → Map<code, level>  (used by auth)
 *   findRoleSummary(db, storeHash, roleId) → { id, name, roleType } | undefined (no permission check)
 */
export interface CompanyRolePermission extends RolePermission {
  /** false for BigCommerce's catalogue codes, true for store-defined codes */
  isCustom: boolean;
}

export interface CompanyRole {
  id: number;
  name: string;
  /** 1 predefined, 2 custom */
  roleType: number;
  /** 1 store level (the only value) */
  roleLevel: number;
  permissions: CompanyRolePermission[];
}

export interface RoleSummary {
  id: number;
  name: string;
  roleType: number;
}

export interface ListRolesQuery {
  search?: string;
  offset: number;
  limit: number;
}

export interface CompanyRoleService {
  listRoles(principal: B2bPrincipal, query: ListRolesQuery): Promise<{ items: CompanyRole[]; totalCount: number }>;
  getRole(principal: B2bPrincipal, roleId: number): Promise<CompanyRole>;
  /** the Management API (store-level caller, no permission check): the same roles, same order */
  listStoreRoles(storeHash: string, query: ListRolesQuery): Promise<{ items: CompanyRole[]; totalCount: number }>;
  /** undefined when the store has no such role */
  findStoreRole(storeHash: string, roleId: number): Promise<CompanyRole | undefined>;
}

function withCatalogueFlags(permissions: readonly RolePermission[]): CompanyRolePermission[] {
  return permissions.map((p) => ({ code: p.code, permissionLevel: p.permissionLevel, isCustom: !isKnownPermissionCode(p.code) }));
}

/** Effective permissions of a role: predefined defaults, or a custom role's stored list. */
export async function resolveRolePermissions(
  db: Kysely<DB>,
  storeHash: string,
  role: number,
  companyRoleId: number | null,
): Promise<Map<string, number>> {
  if (companyRoleId !== null && !isPredefinedRoleId(companyRoleId)) return toPermissionMap(await listRolePermissions(db, storeHash, companyRoleId));
  const effective = companyRoleId ?? role;
  if (isPredefinedRoleId(effective)) return toPermissionMap(predefinedRolePermissions[effective]);
  return new Map();
}

export async function findRoleSummary(db: Kysely<DB>, storeHash: string, roleId: number): Promise<RoleSummary | undefined> {
  if (isPredefinedRoleId(roleId)) return { id: roleId, name: predefinedRoles[roleId].name, roleType: 1 };
  const stored = await findStoredRole(db, storeHash, roleId);
  return stored ? { id: stored.id, name: stored.name, roleType: stored.roleType } : undefined;
}

function assertMayReadRoles(principal: B2bPrincipal): void {
  if (!authorize(principal, 'get_roles', null).allowed) throw new AppError('B2B_FORBIDDEN');
}

export function createCompanyRoleService(deps: { database: Database }): CompanyRoleService {
  const db = deps.database.kysely;

  async function allRoles(storeHash: string): Promise<CompanyRole[]> {
    const predefined: CompanyRole[] = predefinedRoles.map((r) => ({
      id: r.id,
      name: r.name,
      roleType: 1,
      roleLevel: 1,
      permissions: withCatalogueFlags(predefinedRolePermissions[r.id]),
    }));
    const custom = await listStoredRoles(db, storeHash);
    const customRoles: CompanyRole[] = [];
    for (const role of custom) {
      if (isPredefinedRoleId(role.id)) continue;
      customRoles.push({ id: role.id, name: role.name, roleType: 2, roleLevel: 1, permissions: withCatalogueFlags(await listRolePermissions(db, storeHash, role.id)) });
    }
    return [...predefined, ...customRoles];
  }

  async function listStoreRoles(storeHash: string, query: ListRolesQuery) {
    let roles = await allRoles(storeHash);
    const search = query.search?.trim().toLowerCase();
    if (search) roles = roles.filter((r) => r.name.toLowerCase().includes(search));
    return { items: roles.slice(query.offset, query.offset + query.limit), totalCount: roles.length };
  }

  return {
    async listRoles(principal, query) {
      assertMayReadRoles(principal);
      return listStoreRoles(principal.storeHash, query);
    },
    listStoreRoles,
    async findStoreRole(storeHash, roleId) {
      return (await allRoles(storeHash)).find((r) => r.id === roleId);
    },
    async getRole(principal, roleId) {
      assertMayReadRoles(principal);
      const role = (await allRoles(principal.storeHash)).find((r) => r.id === roleId);
      if (!role) throw new AppError('B2B_ROLE_NOT_FOUND');
      return role;
    },
  };
}
