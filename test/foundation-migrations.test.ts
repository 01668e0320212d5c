import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../src/db/db-errors.js';
import { migrateDownAll, migrateToLatest, migrationNames } from '../src/db/migrator.js';
import { tablesInDependencyOrder, WEBHOOK_OUTBOX_TABLE } from '../src/db/tables.js';
import { loadFixture } from '../src/fixtures/load-fixture.js';
import { createClock } from '../src/shared/clock.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestDatabase } from './helpers/test-app.js';

async function tableNames(db: Database): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' and name <> 'roster_migrations'`.execute(db.kysely);
    return rows.rows.map((r) => r.name).sort();
  }
  const rows = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_name not like 'kysely_%' and table_name <> 'roster_migrations'`.execute(db.kysely);
  return rows.rows.map((r) => r.name).sort();
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe.each(dialects)('migrations on %s', (dialect) => {
  let db: (Database & { drop(): Promise<void> }) | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('run up, down and up again', async () => {
    db = await createTestDatabase(dialect); // already migrated up
    expect(await tableNames(db)).toEqual([...tablesInDependencyOrder, WEBHOOK_OUTBOX_TABLE].sort());
    expect(await migrateToLatest(db)).toEqual([]); // idempotent
    expect(await migrateDownAll(db)).toEqual([...migrationNames].reverse());
    expect(await tableNames(db)).toEqual([]);
    expect(await migrateToLatest(db)).toEqual(migrationNames);
    expect(await tableNames(db)).toEqual([...tablesInDependencyOrder, WEBHOOK_OUTBOX_TABLE].sort());
    await loadFixture(db, cloneDemo(), createClock());
  });

  it('names migrations with a date prefix, in order', () => {
    for (const name of migrationNames) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9-]+$/);
    expect([...migrationNames].sort()).toEqual(migrationNames);
  });

  it('holds the rules in the database: unique e-mails, no dangling memberships', async () => {
    db = await createTestDatabase(dialect);
    await loadFixture(db, cloneDemo(), createClock());
    const k = db.kysely;
    const now = 0;

    // one user per e-mail platform-wide (case-insensitive through email_key)
    const dupUser = await errorOf(
      k.insertInto('users').values({ id: 9001, email: 'Jane.Doe@Example.com', email_key: 'jane.doe@example.com', first_name: null, last_name: null, locale: 'en', status: 'ACTIVE', last_login_at: null, created_at: now, updated_at: now }).execute(),
    );
    expect(isUniqueViolation(dupUser)).toBe(true);

    // a store membership needs the account membership (user 2001 belongs to the other account)
    const dangling = await errorOf(
      k.insertInto('store_users').values({ store_id: 1000001, user_id: 2001, account_uuid: '61db983a-cd07-4d6b-8b59-a5ffe285ca6a', status: 'ACTIVE', permissions: '[]', last_login_at: null, created_at: now, updated_at: now }).execute(),
    );
    expect(isForeignKeyViolation(dangling)).toBe(true);

    // a store membership cannot claim another account's store
    const crossStore = await errorOf(
      k.insertInto('store_users').values({ store_id: 2000001, user_id: 1002, account_uuid: '61db983a-cd07-4d6b-8b59-a5ffe285ca6a', status: 'ACTIVE', permissions: '[]', last_login_at: null, created_at: now, updated_at: now }).execute(),
    );
    expect(isForeignKeyViolation(crossStore)).toBe(true);

    // removing the account membership removes the store memberships with it
    await k.deleteFrom('account_users').where('account_uuid', '=', '61db983a-cd07-4d6b-8b59-a5ffe285ca6a').where('user_id', '=', 1002).execute();
    expect(await k.selectFrom('store_users').select('store_id').where('user_id', '=', 1002).execute()).toEqual([]);

    // a user grant needs the app installed on that store
    const grant = await errorOf(k.insertInto('store_user_apps').values({ store_id: 1000002, user_id: 1001, app_id: 4869 }).execute());
    expect(isForeignKeyViolation(grant)).toBe(true);

    // one B2B user per e-mail per store
    const dupB2b = await errorOf(
      k.insertInto('company_users').values({ id: 9002, store_hash: 'f0qyczpkb2', company_id: 223344, customer_id: 321, email: 'M.Curie@greatbuys.com', email_key: 'm.curie@greatbuys.com', first_name: 'M', last_name: 'C', role: 1, company_role_id: null, uuid: null, channel_id: 1, created_at: now, updated_at: now }).execute(),
    );
    expect(isUniqueViolation(dupB2b)).toBe(true);

    // a company user needs its customer in the same store, and a custom role of that store
    const noCustomer = await errorOf(
      k.insertInto('company_users').values({ id: 9003, store_hash: 'f0qyczpkb2', company_id: 223344, customer_id: 77777, email: 'x@rival.example', email_key: 'x@rival.example', first_name: 'X', last_name: 'Y', role: 1, company_role_id: null, uuid: null, channel_id: 1, created_at: now, updated_at: now }).execute(),
    );
    expect(isForeignKeyViolation(noCustomer)).toBe(true);
    const noRole = await errorOf(
      k.insertInto('company_users').values({ id: 9004, store_hash: 'f0qyczpkb2', company_id: 223344, customer_id: 321, email: 'walk.in@example.com', email_key: 'walk.in@example.com', first_name: 'W', last_name: 'I', role: 2, company_role_id: 99, uuid: null, channel_id: 1, created_at: now, updated_at: now }).execute(),
    );
    expect(isForeignKeyViolation(noRole)).toBe(true);

    // one company user per customer
    const twice = await errorOf(
      k.insertInto('company_users').values({ id: 9005, store_hash: 'f0qyczpkb2', company_id: 223344, customer_id: 322, email: 'other@rival.example', email_key: 'other@rival.example', first_name: 'O', last_name: 'R', role: 1, company_role_id: null, uuid: null, channel_id: 1, created_at: now, updated_at: now }).execute(),
    );
    expect(isUniqueViolation(twice)).toBe(true);

    // API tokens are unique by hash; a company cannot point at a missing parent
    const dupToken = await errorOf(
      k.insertInto('api_accounts').values({ id: 99, account_uuid: '0b9e5c3e-7d2f-4a51-9c4e-2f8a6b1d3e70', name: 'x', token_hash: (await k.selectFrom('api_accounts').select('token_hash').executeTakeFirstOrThrow()).token_hash, scopes: '[]', created_at: now }).execute(),
    );
    expect(isUniqueViolation(dupToken)).toBe(true);
    const orphan = await errorOf(
      k.insertInto('companies').values({ id: 9006, store_hash: 'f0qyczpkb2', name: 'Orphan', status: 1, parent_id: 424242, email: null, phone: null, address_line1: null, address_line2: null, city: null, state: null, zip_code: null, country: null, created_at: now, updated_at: now }).execute(),
    );
    expect(isForeignKeyViolation(orphan)).toBe(true);
  });
});
