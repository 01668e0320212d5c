import type { Generated } from 'kysely';

/**
 * The database, written once as Kysely table interfaces. Rows never leave repositories:
 * services and edges see domain objects. Timestamps are epoch ms; booleans 0/1; JSON as text.
 */
export interface IdCountersTable {
  name: string;
  next_value: number;
}

export interface SettingsTable {
  key: string;
  /** JSON */
  value: string;
}

export type MemberStatus = 'ACTIVE' | 'INACTIVE' | 'PENDING';

export interface UsersTable {
  id: number;
  email: string;
  email_key: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  status: MemberStatus;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface AccountsTable {
  uuid: string;
  name: string;
  owner_user_id: number;
  user_count: Generated<number>;
  created_at: number;
}

export interface AccountUsersTable {
  account_uuid: string;
  user_id: number;
  status: MemberStatus;
  created_at: number;
}

export interface AppsTable {
  account_uuid: string;
  id: number;
  name: string | null;
}

export interface StoresTable {
  id: number;
  store_hash: string;
  account_uuid: string;
  name: string;
  owner_user_id: number | null;
  user_count: Generated<number>;
  created_at: number;
}

export interface StoreAppsTable {
  store_id: number;
  account_uuid: string;
  app_id: number;
}

export interface StoreUsersTable {
  store_id: number;
  user_id: number;
  account_uuid: string;
  status: MemberStatus;
  /** JSON array of permission strings */
  permissions: string;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface StoreUserAppsTable {
  store_id: number;
  user_id: number;
  app_id: number;
}

export interface ApiAccountsTable {
  id: number;
  account_uuid: string;
  name: string;
  /** hex SHA-256 of the token; the token itself is never stored */
  token_hash: string;
  /** JSON array of scope names */
  scopes: string;
  created_at: number;
}

export interface B2bStoresTable {
  store_hash: string;
  /** numeric store id (webhook `store_id`); null: derived when read */
  store_id: number | null;
  created_at: number;
}

export interface B2bChannelsTable {
  store_hash: string;
  channel_id: number;
  /** null: "Default Storefront" for channel 1, else "Channel <id>" */
  name: string | null;
  /** null: the BigCommerce channel icon */
  icon_url: string | null;
}

/** BigCommerce store-level API accounts of a B2B store (Management API, webhooks API) */
export interface B2bApiAccountsTable {
  id: number;
  store_hash: string;
  name: string;
  /** hex SHA-256 of the X-Auth-Token; the token itself is never stored */
  token_hash: string;
  client_id: string;
  /** kept retrievably: webhooks are signed with it */
  client_secret: string;
  /** JSON array of scope names */
  scopes: string;
  created_at: number;
}

/** deprecated B2B `authToken` values (full access to the store's Management API) */
export interface B2bLegacyTokensTable {
  token_hash: string;
  store_hash: string;
  name: string;
  email: string | null;
  created_at: number;
}

export interface B2bCustomerGroupsTable {
  store_hash: string;
  id: number;
  name: string;
}

/** declared extra-field configurations of users ('user') and Companies ('company') */
export interface B2bExtraFieldConfigsTable {
  store_hash: string;
  kind: 'user' | 'company';
  position: number;
  field_name: string;
  /** 0 text, 1 multiline, 2 number, 3 dropdown */
  field_type: number;
  is_required: number;
  is_unique: number;
  visible_to_enduser: number;
  /** 1 built-in, 2 user-defined */
  config_type: number;
  default_value: string;
  maximum_length: string;
  number_of_rows: string;
  maximum_value: string;
  /** JSON array of strings */
  list_of_value: string;
}

export interface CustomersTable {
  id: number;
  store_hash: string;
  email: string;
  email_key: string;
  first_name: string;
  last_name: string;
  phone: Generated<string>;
  /** PHC-format scrypt string; null when the customer has no password yet */
  password_hash: string | null;
  force_password_reset: Generated<number>;
  origin_channel_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface CompaniesTable {
  id: number;
  store_hash: string;
  name: string;
  /** 0 pending, 1 approved, 2 rejected, 3 inactive */
  status: number;
  parent_id: number | null;
  email: string | null;
  phone: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  zip_code: string | null;
  country: string | null;
  /** 0: none */
  customer_group_id: Generated<number>;
  uuid: string | null;
  /** JSON array of {fieldName, fieldValue} */
  extra_fields: Generated<string>;
  user_count: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface CompanyRolesTable {
  store_hash: string;
  id: number;
  name: string;
  /** 1 predefined, 2 custom */
  role_type: Generated<number>;
  created_at: number;
}

export interface CompanyRolePermissionsTable {
  store_hash: string;
  role_id: number;
  code: string;
  permission_level: number;
}

export interface CompanyUsersTable {
  id: number;
  store_hash: string;
  company_id: number;
  customer_id: number;
  email: string;
  email_key: string;
  first_name: string;
  last_name: string;
  phone: Generated<string>;
  /** 0 Admin, 1 Senior Buyer, 2 Junior Buyer (also custom roles), 3 Super Admin, 4 unknown */
  role: number;
  company_role_id: number | null;
  uuid: string | null;
  channel_id: number | null;
  /** JSON array of {fieldName, fieldValue} */
  extra_fields: Generated<string>;
  created_at: number;
  updated_at: number;
}

/** the channel set of a Company user (Management API `channelIds` / `channelList`) */
export interface CompanyUserChannelsTable {
  user_id: number;
  store_hash: string;
  channel_id: number;
}

/** a registered webhook (webhooks.md §4.2): world state */
export interface WebhooksTable {
  id: number;
  store_hash: string;
  client_id: string;
  scope: string;
  destination: string;
  is_active: number;
  /** JSON object, null when none */
  headers: string | null;
  created_at: number;
  updated_at: number;
}

/** the delivery outbox (webhooks.md §5-§7): not world state (see WEBHOOK_OUTBOX_TABLE) */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: number;
  store_hash: string;
  client_id: string;
  scope: string;
  destination: string;
  body: string;
  event_seq: number;
  request_id: string | null;
  state: 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'recorded';
  attempt_count: number;
  first_due_at: number;
  next_due_at: number;
  lease_until: number | null;
  /** JSON array of attempt records */
  attempts: string;
  created_at: number;
  updated_at: number;
}

export interface DB {
  id_counters: IdCountersTable;
  settings: SettingsTable;
  users: UsersTable;
  accounts: AccountsTable;
  account_users: AccountUsersTable;
  apps: AppsTable;
  stores: StoresTable;
  store_apps: StoreAppsTable;
  store_users: StoreUsersTable;
  store_user_apps: StoreUserAppsTable;
  api_accounts: ApiAccountsTable;
  b2b_stores: B2bStoresTable;
  b2b_channels: B2bChannelsTable;
  customers: CustomersTable;
  companies: CompaniesTable;
  company_roles: CompanyRolesTable;
  company_role_permissions: CompanyRolePermissionsTable;
  company_users: CompanyUsersTable;
  b2b_api_accounts: B2bApiAccountsTable;
  b2b_legacy_tokens: B2bLegacyTokensTable;
  b2b_customer_groups: B2bCustomerGroupsTable;
  b2b_extra_field_configs: B2bExtraFieldConfigsTable;
  company_user_channels: CompanyUserChannelsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** Every table, in an order where each table only references tables before it. */
export const tablesInDependencyOrder = [
  'id_counters',
  'settings',
  'users',
  'accounts',
  'account_users',
  'apps',
  'stores',
  'store_apps',
  'store_users',
  'store_user_apps',
  'api_accounts',
  'b2b_stores',
  'b2b_channels',
  'customers',
  'companies',
  'company_roles',
  'company_role_permissions',
  'company_users',
  'b2b_api_accounts',
  'b2b_legacy_tokens',
  'b2b_customer_groups',
  'b2b_extra_field_configs',
  'company_user_channels',
  'webhooks',
] as const satisfies readonly (keyof DB)[];

/**
 * The webhook outbox: in every database (migrations) but not part of a world's state, so it is not
 * in `tablesInDependencyOrder` (restores leave it alone; the emulator cancels what a reset, restore or
 * fork must not deliver).
 */
export const WEBHOOK_OUTBOX_TABLE = 'webhook_deliveries' as const;
