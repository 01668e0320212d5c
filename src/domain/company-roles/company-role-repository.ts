import type { Kysely } from 'kysely';
import type { DB } from '../../db/tables.js';
import { isStorableId, isStorableStoreHash } from '../../db/lookup-guards.js';
import type { RolePermission } from './role-defaults.js';

/** Storage of a store's custom Company roles and their permissions. Rows never leave this file. */
export interface StoredRole {
  id: number;
  name: string;
  roleType: number;
  createdAt: number;
}

export async function listStoredRoles(db: Kysely<DB>, storeHash: string): Promise<StoredRole[]> {
  const rows = await db.selectFrom('company_roles').selectAll().where('store_hash', '=', storeHash).orderBy('id', 'asc').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, roleType: Number(r.role_type), createdAt: Number(r.created_at) }));
}

export async function findStoredRole(db: Kysely<DB>, storeHash: string, id: number): Promise<StoredRole | undefined> {
  if (!isStorableId(id) || !isStorableStoreHash(storeHash)) return undefined;
  const r = await db.selectFrom('company_roles').selectAll().where('store_hash', '=', storeHash).where('id', '=', id).executeTakeFirst();
  return r ? { id: Number(r.id), name: r.name, roleType: Number(r.role_type), createdAt: Number(r.created_at) } : undefined;
}

export async function listRolePermissions(db: Kysely<DB>, storeHash: string, roleId: number): Promise<RolePermission[]> {
  if (!isStorableId(roleId) || !isStorableStoreHash(storeHash)) return [];
  const rows = await db
    .selectFrom('company_role_permissions')
    .select(['code', 'permission_level'])
    .where('store_hash', '=', storeHash)
    .where('role_id', '=', roleId)
    .orderBy('code', 'asc')
    .execute();
  return rows.map((r) => ({ code: r.code, permissionLevel: Number(r.permission_level) }));
}
