import { permissionCodeLevels, predefinedRoles, userManagementCodes } from './permission-codes.js';

/**
 * Permissions of the predefined roles (b2b-users-rest.md §13 #7): the developer docs do not list
 * them, so these follow the Help Center's description. Admin holds the six user-management codes
 * at level 2; Senior and Junior Buyers hold none of them. The non-user codes are our reading of
 * "Junior Buyers request quotes and submit Shopping Lists; Senior Buyers also approve lists, buy
 * and see Company orders; Admins additionally manage addresses, add users and pay invoices".
 */
export interface RolePermission {
  code: string;
  permissionLevel: number;
}

const juniorBuyer: RolePermission[] = [
  'get_orders',
  'get_order_detail',
  'get_quotes',
  'get_quote_detail',
  'update_quote_message',
  'get_quote_pdf',
  'get_shopping_lists',
  'get_shopping_list_detail',
  'create_shopping_list',
  'deplicate_shopping_list',
  'update_shopping_list',
  'delete_shopping_list',
  'create_shopping_list_item',
  'update_shopping_list_item',
  'delete_shopping_list_item',
  'create_quote',
  'submit_shopping_list_for_approval',
].map((code) => ({ code, permissionLevel: 1 }));

const seniorBuyer: RolePermission[] = [
  ...[
    'get_orders',
    'get_order_detail',
    'get_quotes',
    'get_quote_detail',
    'update_quote_message',
    'checkout_with_quote',
    'get_quote_pdf',
    'get_shopping_lists',
    'get_shopping_list_detail',
    'create_shopping_list',
    'deplicate_shopping_list',
    'update_shopping_list',
    'delete_shopping_list',
    'create_shopping_list_item',
    'update_shopping_list_item',
    'delete_shopping_list_item',
    'approve_draft_shopping_list',
    'purchase_enable',
    'get_addresses',
    'get_address_detail',
    'get_default_shipping',
    'get_default_billing',
  ].map((code) => ({ code, permissionLevel: 2 })),
  { code: 'create_quote', permissionLevel: 1 },
  { code: 'submit_shopping_list_for_approval', permissionLevel: 1 },
];

/** Admin: every code that allows level 2, at level 2; level-1/3-only codes at level 1 (none at 3). */
const admin: RolePermission[] = Object.entries(permissionCodeLevels)
  .filter(([, levels]) => levels.includes(2) || levels.includes(1))
  .map(([code, levels]) => ({ code, permissionLevel: levels.includes(2) ? 2 : 1 }));

export const predefinedRolePermissions: Readonly<Record<0 | 1 | 2, readonly RolePermission[]>> = {
  0: admin,
  1: seniorBuyer,
  2: juniorBuyer,
};

export function isPredefinedRoleId(id: number): id is 0 | 1 | 2 {
  return id === 0 || id === 1 || id === 2;
}

export function predefinedRoleName(id: 0 | 1 | 2): string {
  return predefinedRoles[id].name;
}

export function toPermissionMap(permissions: readonly RolePermission[]): Map<string, number> {
  return new Map(permissions.map((p) => [p.code, p.permissionLevel]));
}

// a guard that keeps §13 #7 true if someone edits the lists above
for (const code of userManagementCodes) {
  if (admin.find((p) => p.code === code)?.permissionLevel !== 2) throw new Error(`Admin must hold ${code} at level 2`);
  if (seniorBuyer.some((p) => p.code === code) || juniorBuyer.some((p) => p.code === code)) throw new Error(`Buyers must not hold ${code}`);
}
