/** B2B company permission codes and the levels each allows (b2b-users-rest.md §7). */
export const permissionCodeLevels: Readonly<Record<string, readonly number[]>> = {
  get_users: [2, 3],
  get_user_detail: [2, 3],
  create_user: [2, 3],
  update_user: [2, 3],
  delete_user: [2, 3],
  get_roles: [2, 3],
  get_addresses: [2, 3],
  get_address_detail: [2, 3],
  get_default_shipping: [2, 3],
  get_default_billing: [2, 3],
  create_address: [2, 3],
  update_address: [2, 3],
  delete_address: [2, 3],
  get_invoices: [2, 3],
  get_invoice_detail: [2, 3],
  export_invoices: [2, 3],
  get_invoice_pdf: [2, 3],
  get_invoice_payments_history: [2, 3],
  pay_invoice: [2, 3],
  get_orders: [1, 2, 3],
  get_order_detail: [1, 2, 3],
  get_quotes: [1, 2, 3],
  get_quote_detail: [1, 2, 3],
  update_quote_message: [1, 2, 3],
  checkout_with_quote: [1, 2, 3],
  get_quote_pdf: [1, 2, 3],
  get_shopping_lists: [1, 2, 3],
  get_shopping_list_detail: [1, 2, 3],
  create_shopping_list: [1, 2, 3],
  deplicate_shopping_list: [1, 2, 3],
  update_shopping_list: [1, 2, 3],
  delete_shopping_list: [1, 2, 3],
  create_shopping_list_item: [1, 2, 3],
  update_shopping_list_item: [1, 2, 3],
  delete_shopping_list_item: [1, 2, 3],
  create_quote: [1, 3],
  submit_shopping_list_for_approval: [1, 3],
  approve_draft_shopping_list: [2, 3],
  purchase_enable: [2, 3],
  get_company_subsidiaries: [3],
};

export const userManagementCodes = ['get_users', 'get_user_detail', 'create_user', 'update_user', 'delete_user', 'get_roles'] as const;
export type UserManagementCode = (typeof userManagementCodes)[number];

export function isKnownPermissionCode(code: string): boolean {
  return Object.hasOwn(permissionCodeLevels, code);
}

/** Predefined roles: 0 Admin, 1 Senior Buyer, 2 Junior Buyer (ids and role values coincide). */
export const predefinedRoles = [
  { id: 0, name: 'Admin' },
  { id: 1, name: 'Senior Buyer' },
  { id: 2, name: 'Junior Buyer' },
] as const;

/**
 * The permission catalogue of the Management API (b2b-management-rest.md §7.3): ids follow the
 * order of BigCommerce's permission table (`get_addresses` is id 1 in its example), names are the
 * table's, `description` = `name`. B2B GraphQL keeps `id` = `code`.
 */
export interface CataloguePermission {
  id: number;
  code: string;
  name: string;
  moduleName: string;
}

const catalogueModules: readonly [string, readonly [string, string][]][] = [
  ['address', [['get_addresses', 'Get addresses'], ['get_address_detail', 'Get address detail'], ['get_default_shipping', 'Get default shipping address'], ['get_default_billing', 'Get default billing address'], ['create_address', 'Create address'], ['update_address', 'Update address'], ['delete_address', 'Delete address']]],
  ['invoice', [['get_invoices', 'Get invoices'], ['get_invoice_detail', 'Get invoice detail'], ['export_invoices', 'Export invoices'], ['get_invoice_pdf', 'Get invoice pdf'], ['get_invoice_payments_history', 'Get invoice payments history'], ['pay_invoice', 'Pay invoice']]],
  ['order', [['get_orders', 'Get orders'], ['get_order_detail', 'Get order detail']]],
  ['quote', [['get_quotes', 'Get quotes'], ['get_quote_detail', 'Get quote detail'], ['create_quote', 'Create quote'], ['update_quote_message', 'Update quote message'], ['checkout_with_quote', 'Checkout with quote'], ['get_quote_pdf', 'Get quote pdf']]],
  [
    'shopping_list',
    [
      ['get_shopping_lists', 'Get shopping lists'],
      ['get_shopping_list_detail', 'Get shopping list detail'],
      ['create_shopping_list', 'Create shopping list'],
      ['deplicate_shopping_list', 'Deplicate shopping list'],
      ['update_shopping_list', 'Update shopping list'],
      ['submit_shopping_list_for_approval', 'Submit shopping list for approval'],
      ['approve_draft_shopping_list', 'Approve draft shopping list'],
      ['delete_shopping_list', 'Delete shopping list'],
      ['create_shopping_list_item', 'Create shopping list item'],
      ['update_shopping_list_item', 'Update shopping list item'],
      ['delete_shopping_list_item', 'Delete shopping list item'],
    ],
  ],
  ['user', [['get_users', 'Get users'], ['get_user_detail', 'Get user detail'], ['create_user', 'Create user'], ['update_user', 'Update user'], ['delete_user', 'Delete user']]],
  ['role', [['get_roles', 'Get roles']]],
  ['checkout', [['purchase_enable', 'Purchase Enable']]],
  ['company', [['get_company_subsidiaries', 'Get company subsidiaries']]],
];

export const permissionCatalogue: readonly CataloguePermission[] = catalogueModules.flatMap(([moduleName, entries]) => entries.map(([code, name]) => ({ code, name, moduleName }))).map((p, i) => ({ id: i + 1, ...p }));

export const cataloguePermissionByCode: ReadonlyMap<string, CataloguePermission> = new Map(permissionCatalogue.map((p) => [p.code, p]));
