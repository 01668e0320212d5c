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
