import { type Kysely, sql } from 'kysely';

/**
 * Frozen: takes Kysely<any>, imports no app code, never edited after it lands.
 * Valid on SQLite and PostgreSQL. Timestamps are epoch milliseconds (bigint); booleans are 0/1
 * integers; lists (permissions, scopes, extra fields) are JSON text.
 * E-mails are stored as given plus a trimmed lower-case `email_key` that carries the uniqueness rules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('id_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_value', 'bigint', (c) => c.notNull())
    .execute();

  // deployment settings that come with a fixture (JWT secrets, rate-limit quotas), JSON values
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  // ---------------------------------------------------------------- Account API
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('locale', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('users_status_check', sql`status in ('ACTIVE', 'INACTIVE', 'PENDING')`)
    .execute();
  // one user per e-mail platform-wide
  await db.schema.createIndex('users_email_key_unique').on('users').column('email_key').unique().execute();

  await db.schema
    .createTable('accounts')
    .addColumn('uuid', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('user_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_users')
    .addColumn('account_uuid', 'text', (c) => c.notNull().references('accounts.uuid').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_users_pk', ['account_uuid', 'user_id'])
    .addCheckConstraint('account_users_status_check', sql`status in ('ACTIVE', 'INACTIVE', 'PENDING')`)
    .execute();
  await db.schema.createIndex('account_users_user_idx').on('account_users').column('user_id').execute();

  await db.schema
    .createTable('apps')
    .addColumn('account_uuid', 'text', (c) => c.notNull().references('accounts.uuid').onDelete('cascade'))
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text')
    .addPrimaryKeyConstraint('apps_pk', ['account_uuid', 'id'])
    .execute();

  await db.schema
    .createTable('stores')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull().unique())
    .addColumn('account_uuid', 'text', (c) => c.notNull().references('accounts.uuid').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('user_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stores_account_idx').on('stores').columns(['account_uuid', 'id']).execute();
  // lets store_users reference (store, account) so a membership can only point at its own account
  await db.schema.createIndex('stores_id_account_unique').on('stores').columns(['id', 'account_uuid']).unique().execute();

  await db.schema
    .createTable('store_apps')
    .addColumn('store_id', 'integer', (c) => c.notNull().references('stores.id').onDelete('cascade'))
    .addColumn('account_uuid', 'text', (c) => c.notNull())
    .addColumn('app_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_apps_pk', ['store_id', 'app_id'])
    .addForeignKeyConstraint('store_apps_app_fk', ['account_uuid', 'app_id'], 'apps', ['account_uuid', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('store_users')
    .addColumn('store_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('account_uuid', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_users_pk', ['store_id', 'user_id'])
    .addForeignKeyConstraint('store_users_store_fk', ['store_id', 'account_uuid'], 'stores', ['id', 'account_uuid'], (c) =>
      c.onDelete('cascade'),
    )
    // no store membership without the account membership
    .addForeignKeyConstraint(
      'store_users_member_fk',
      ['account_uuid', 'user_id'],
      'account_users',
      ['account_uuid', 'user_id'],
      (c) => c.onDelete('cascade'),
    )
    .addCheckConstraint('store_users_status_check', sql`status in ('ACTIVE', 'INACTIVE', 'PENDING')`)
    .execute();
  await db.schema.createIndex('store_users_user_idx').on('store_users').columns(['user_id']).execute();
  await db.schema.createIndex('store_users_member_idx').on('store_users').columns(['account_uuid', 'user_id']).execute();

  await db.schema
    .createTable('store_user_apps')
    .addColumn('store_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('app_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_user_apps_pk', ['store_id', 'user_id', 'app_id'])
    .addForeignKeyConstraint('store_user_apps_member_fk', ['store_id', 'user_id'], 'store_users', ['store_id', 'user_id'], (c) =>
      c.onDelete('cascade'),
    )
    .addForeignKeyConstraint('store_user_apps_app_fk', ['store_id', 'app_id'], 'store_apps', ['store_id', 'app_id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('api_accounts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('account_uuid', 'text', (c) => c.notNull().references('accounts.uuid').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // ---------------------------------------------------------------- B2B Edition
  await db.schema
    .createTable('b2b_stores')
    .addColumn('store_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('b2b_channels')
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('channel_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('b2b_channels_pk', ['store_hash', 'channel_id'])
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('password_hash', 'text')
    .addColumn('force_password_reset', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('origin_channel_id', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customers_store_email_unique').on('customers').columns(['store_hash', 'email_key']).unique().execute();
  await db.schema.createIndex('customers_id_store_unique').on('customers').columns(['id', 'store_hash']).unique().execute();

  await db.schema
    .createTable('companies')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('companies.id'))
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('address_line1', 'text')
    .addColumn('address_line2', 'text')
    .addColumn('city', 'text')
    .addColumn('state', 'text')
    .addColumn('zip_code', 'text')
    .addColumn('country', 'text')
    .addColumn('user_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('companies_status_check', sql`status in (0, 1, 2, 3)`)
    .execute();
  await db.schema.createIndex('companies_store_idx').on('companies').columns(['store_hash', 'id']).execute();
  await db.schema.createIndex('companies_parent_idx').on('companies').column('parent_id').execute();
  await db.schema.createIndex('companies_id_store_unique').on('companies').columns(['id', 'store_hash']).unique().execute();

  await db.schema
    .createTable('company_roles')
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role_type', 'integer', (c) => c.notNull().defaultTo(2))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_roles_pk', ['store_hash', 'id'])
    .execute();
  await db.schema.createIndex('company_roles_name_unique').on('company_roles').columns(['store_hash', 'name']).unique().execute();

  await db.schema
    .createTable('company_role_permissions')
    .addColumn('store_hash', 'text', (c) => c.notNull())
    .addColumn('role_id', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('permission_level', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_role_permissions_pk', ['store_hash', 'role_id', 'code'])
    .addForeignKeyConstraint('company_role_permissions_role_fk', ['store_hash', 'role_id'], 'company_roles', ['store_hash', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .addCheckConstraint('company_role_permissions_level_check', sql`permission_level in (1, 2, 3)`)
    .execute();

  await db.schema
    .createTable('company_users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull())
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'integer', (c) => c.notNull())
    .addColumn('company_role_id', 'integer')
    .addColumn('uuid', 'text')
    .addColumn('channel_id', 'integer')
    .addColumn('extra_fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('company_users_company_fk', ['company_id', 'store_hash'], 'companies', ['id', 'store_hash'])
    .addForeignKeyConstraint('company_users_customer_fk', ['customer_id', 'store_hash'], 'customers', ['id', 'store_hash'])
    .addForeignKeyConstraint('company_users_role_fk', ['store_hash', 'company_role_id'], 'company_roles', ['store_hash', 'id'])
    .addCheckConstraint('company_users_role_check', sql`role in (0, 1, 2, 3, 4)`)
    .execute();
  // one B2B user per e-mail per store; one company user per customer
  await db.schema.createIndex('company_users_store_email_unique').on('company_users').columns(['store_hash', 'email_key']).unique().execute();
  await db.schema.createIndex('company_users_customer_unique').on('company_users').column('customer_id').unique().execute();
  await db.schema.createIndex('company_users_company_idx').on('company_users').columns(['company_id', 'id']).execute();
  await db.schema.createIndex('company_users_company_role_idx').on('company_users').columns(['company_id', 'role', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'company_users',
    'company_role_permissions',
    'company_roles',
    'companies',
    'customers',
    'b2b_channels',
    'b2b_stores',
    'api_accounts',
    'store_user_apps',
    'store_users',
    'store_apps',
    'stores',
    'apps',
    'account_users',
    'accounts',
    'users',
    'settings',
    'id_counters',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
