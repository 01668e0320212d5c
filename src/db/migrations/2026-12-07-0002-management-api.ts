import type { Kysely } from 'kysely';

/**
 * Frozen: takes Kysely<any>, imports no app code, never edited after it lands.
 * The B2B Management API v3 (b2b-management-rest.md §2, §8, §10.2, §12): store-level API accounts
 * and legacy authTokens (tokens stored as SHA-256 hex only; the client secret retrievably, as
 * webhooks are signed with it), channel names, customer groups, declared extra-field
 * configurations, Company fields the Management API reads and writes, and a channel SET per
 * Company user (`company_users.channel_id` stays the origin/sign-up channel).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // numeric store id of a B2B store (webhook `store_id`); null: derived when read
  await db.schema.alterTable('b2b_stores').addColumn('store_id', 'integer').execute();

  await db.schema
    .createTable('b2b_api_accounts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('b2b_api_accounts_token_unique').on('b2b_api_accounts').column('token_hash').unique().execute();
  await db.schema.createIndex('b2b_api_accounts_client_unique').on('b2b_api_accounts').column('client_id').unique().execute();
  await db.schema.createIndex('b2b_api_accounts_store_idx').on('b2b_api_accounts').columns(['store_hash', 'id']).execute();

  await db.schema
    .createTable('b2b_legacy_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('b2b_legacy_tokens_store_idx').on('b2b_legacy_tokens').column('store_hash').execute();

  // null: the default name / icon of b2b-management-rest.md §12
  await db.schema.alterTable('b2b_channels').addColumn('name', 'text').execute();
  await db.schema.alterTable('b2b_channels').addColumn('icon_url', 'text').execute();

  await db.schema
    .createTable('b2b_customer_groups')
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('b2b_customer_groups_pk', ['store_hash', 'id'])
    .execute();

  // declared extra-field configurations (kind 'user' or 'company'), in declaration order
  await db.schema
    .createTable('b2b_extra_field_configs')
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('field_name', 'text', (c) => c.notNull())
    .addColumn('field_type', 'integer', (c) => c.notNull())
    .addColumn('is_required', 'integer', (c) => c.notNull())
    .addColumn('is_unique', 'integer', (c) => c.notNull())
    .addColumn('visible_to_enduser', 'integer', (c) => c.notNull())
    .addColumn('config_type', 'integer', (c) => c.notNull())
    .addColumn('default_value', 'text', (c) => c.notNull())
    .addColumn('maximum_length', 'text', (c) => c.notNull())
    .addColumn('number_of_rows', 'text', (c) => c.notNull())
    .addColumn('maximum_value', 'text', (c) => c.notNull())
    /** JSON array of strings */
    .addColumn('list_of_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('b2b_extra_field_configs_pk', ['store_hash', 'kind', 'field_name'])
    .execute();

  await db.schema.alterTable('companies').addColumn('customer_group_id', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('companies').addColumn('uuid', 'text').execute();
  await db.schema.alterTable('companies').addColumn('extra_fields', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  // the Management list's default order and its date filters
  await db.schema.createIndex('companies_store_updated_idx').on('companies').columns(['store_hash', 'updated_at', 'id']).execute();

  await db.schema
    .createTable('company_user_channels')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('company_users.id').onDelete('cascade'))
    .addColumn('store_hash', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_user_channels_pk', ['user_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('company_user_channels_channel_idx').on('company_user_channels').columns(['store_hash', 'channel_id', 'user_id']).execute();

  // the Management user list: every user of a store, newest first
  await db.schema.createIndex('company_users_store_idx').on('company_users').columns(['store_hash', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('company_users_store_idx').ifExists().execute();
  await db.schema.dropTable('company_user_channels').ifExists().execute();
  await db.schema.dropIndex('companies_store_updated_idx').ifExists().execute();
  await db.schema.alterTable('companies').dropColumn('extra_fields').execute();
  await db.schema.alterTable('companies').dropColumn('uuid').execute();
  await db.schema.alterTable('companies').dropColumn('customer_group_id').execute();
  await db.schema.dropTable('b2b_extra_field_configs').ifExists().execute();
  await db.schema.dropTable('b2b_customer_groups').ifExists().execute();
  await db.schema.alterTable('b2b_channels').dropColumn('icon_url').execute();
  await db.schema.alterTable('b2b_channels').dropColumn('name').execute();
  await db.schema.dropTable('b2b_legacy_tokens').ifExists().execute();
  await db.schema.dropTable('b2b_api_accounts').ifExists().execute();
  await db.schema.alterTable('b2b_stores').dropColumn('store_id').execute();
}
