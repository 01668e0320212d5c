import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { storePermissionCatalogue } from '../src/domain/stores/permission-catalogue.js';
import { exportFixture } from '../src/fixtures/export-fixture.js';
import type { Fixture } from '../src/fixtures/fixture-types.js';
import { isDatabaseEmpty, loadFixture } from '../src/fixtures/load-fixture.js';
import { createClock } from '../src/shared/clock.js';
import { isAppError } from '../src/shared/errors.js';
import { hashToken, verifyPassword } from '../src/shared/secrets.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestDatabase } from './helpers/test-app.js';

type Json = Record<string, any>; // fixture trees are loosely typed in tests

/** The demo fixture as the export must show it: defaults filled in, secrets as their hashes, accounts by uuid. */
/** the clock the round-trip tests load at: entities without times get it */
const LOADED_AT = '2026-01-01T00:00:00.000Z';
const loadTimes = { createdAt: LOADED_AT, updatedAt: LOADED_AT };

function expectedExport(demo: Json): Json {
  return {
    accounts: [...demo.accounts].sort((x: Json, y: Json) => x.uuid.localeCompare(y.uuid)).map((a: Json) => ({
      uuid: a.uuid,
      name: a.name,
      ownerEmail: a.ownerEmail,
      users: a.users.map((u: Json) => ({
        id: u.id,
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        locale: u.locale,
        status: u.status,
        lastLoginAt: u.lastLoginAt ?? null,
        ...loadTimes,
      })),
      apps: a.apps.map((app: Json) => ({ id: app.id, name: app.name })),
      stores: a.stores.map((s: Json) => ({
        id: s.id,
        storeHash: s.storeHash,
        name: s.name,
        ownerEmail: s.ownerEmail,
        apps: s.apps,
        users: s.users.map((su: Json) => ({
          email: su.email,
          permissions: su.permissions === 'ALL' ? storePermissionCatalogue : su.permissions,
          status: su.status,
          apps: su.apps ?? [],
          lastLoginAt: null,
          ...loadTimes,
        })),
      })),
      apiAccounts: a.apiAccounts.map((k: Json) => ({ name: k.name, tokenHash: hashToken(k.token), scopes: k.scopes })),
    })),
    b2b: {
      stores: demo.b2b.stores.map((s: Json) => ({
        storeHash: s.storeHash,
        storeId: s.storeId,
        channels: s.channels,
        customerGroups: [],
        apiAccounts: s.apiAccounts.map((k: Json) => ({
          name: k.name,
          tokenHash: hashToken(k.token),
          clientId: k.clientId,
          clientSecret: k.clientSecret,
          scopes: k.scopes,
        })),
        legacyAuthTokens: s.legacyAuthTokens.map((t: Json) => ({ name: t.name, tokenHash: hashToken(t.token), email: t.email })),
        userExtraFields: [],
        companyExtraFields: [],
        customers: s.customers.map((c: Json) => ({ id: c.id, email: c.email, firstName: c.firstName, lastName: c.lastName, phone: '', ...loadTimes })),
        roles: s.roles.map((r: Json) => ({
          id: r.id,
          name: r.name,
          permissions: [...r.permissions].sort((x: Json, y: Json) => x.code.localeCompare(y.code)),
        })),
        companies: s.companies.map((c: Json) => ({
          id: c.id,
          name: c.name,
          status: c.status,
          parentId: c.parentId,
          email: null,
          phone: null,
          addressLine1: null,
          addressLine2: null,
          city: null,
          state: null,
          zipCode: null,
          country: null,
          customerGroupId: 0,
          uuid: null,
          extraFields: [],
          ...loadTimes,
          users: c.users.map((u: Json) => ({
            id: u.id,
            bcId: u.bcId,
            email: u.email,
            firstName: u.firstName,
            lastName: u.lastName,
            phoneNumber: u.phoneNumber,
            role: u.role,
            companyRoleId: u.companyRoleId ?? null,
            uuid: null,
            channelId: 1,
            channelIds: [1],
            extraFields: [],
            ...loadTimes,
          })),
        })),
      })),
    },
    settings: {
      accountRateLimit: demo.settings.accountRateLimit,
      b2bJwtSecret: demo.settings.b2bJwtSecret,
      b2bRateLimit: demo.settings.b2bRateLimit,
      storefrontJwtSecrets: demo.settings.storefrontJwtSecrets,
    },
  };
}

/** Password hashes are salted: compare them by verifying, then drop them from the trees. */
async function stripAndVerifyPasswords(exported: Fixture, demo: Json): Promise<Json> {
  const copy = structuredClone(exported) as Json;
  const checks: Promise<boolean>[] = [];
  copy.b2b.stores.forEach((s: Json, i: number) => {
    s.customers.forEach((c: Json, j: number) => {
      checks.push(verifyPassword(demo.b2b.stores[i].customers[j].password, c.passwordHash));
      delete c.passwordHash;
    });
    s.companies.forEach((c: Json, j: number) => {
      c.users.forEach((u: Json, k: number) => {
        checks.push(verifyPassword(demo.b2b.stores[i].companies[j].users[k].password, u.passwordHash));
        delete u.passwordHash;
      });
    });
  });
  expect(await Promise.all(checks)).toEqual(checks.map(() => true));
  return copy;
}

describe.each(dialects)('fixtures on %s', (dialect) => {
  const opened: (Database & { drop(): Promise<void> })[] = [];
  const fresh = async () => {
    const db = await createTestDatabase(dialect);
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    while (opened.length > 0) await opened.pop()?.drop();
  });
  const clock = createClock({ frozenAt: Date.parse(LOADED_AT) });

  it('round-trips the demo fixture: load, read every entity back, compare; export -> load -> export is stable', async () => {
    const demo = cloneDemo<Json>();
    const db = await fresh();
    const summary = await loadFixture(db, demo, clock);
    expect(summary).toEqual({ accounts: 2, users: 4, stores: 3, apiAccounts: 3, b2bStores: 1, companies: 4, companyUsers: 7, customers: 1, webhooks: 0 });
    const exported = await exportFixture(db.kysely, { includeSecrets: true });
    expect(await stripAndVerifyPasswords(exported, demo)).toEqual(expectedExport(demo));

    const second = await fresh();
    await loadFixture(second, exported, clock);
    expect(await exportFixture(second.kysely, { includeSecrets: true })).toEqual(exported);
    // the demo tokens still resolve after the round trip (stored only as hashes)
    const row = await second.kysely.selectFrom('api_accounts').select('name').where('token_hash', '=', hashToken('demo-account-token-full')).executeTakeFirst();
    expect(row?.name).toBe('demo-full');
  });

  it('exports without secrets by default', async () => {
    const db = await fresh();
    await loadFixture(db, cloneDemo(), clock);
    const text = JSON.stringify(await exportFixture(db.kysely));
    expect(text).not.toContain('passwordHash');
    expect(text).not.toContain('tokenHash');
    expect(text).not.toContain('clientSecret');
    expect(text).not.toContain('demo-b2b-client-secret');
    expect(text).not.toContain('demo-only-secret');
    expect(text).not.toContain('Passw0rd');
  });

  it('assigns missing ids above the explicit ones, and never gives a company user its customer id', async () => {
    const db = await fresh();
    const demo = cloneDemo<Json>();
    delete demo.accounts[0].users[2].id;
    const company = demo.b2b.stores[0].companies[0];
    company.users.push({ email: 'new.one@greatbuys.com', firstName: 'New', lastName: 'One', role: 1 });
    await loadFixture(db, demo, clock);
    const user = await db.kysely.selectFrom('users').selectAll().where('email_key', '=', 'john.citizen@example.com').executeTakeFirstOrThrow();
    expect(user.id).toBe(2002);
    const added = await db.kysely.selectFrom('company_users').selectAll().where('email_key', '=', 'new.one@greatbuys.com').executeTakeFirstOrThrow();
    expect(added.customer_id).not.toBe(added.id);
    expect(Math.min(added.customer_id, added.id)).toBeGreaterThan(500);
    const companyRow = await db.kysely.selectFrom('companies').select('user_count').where('id', '=', 123456).executeTakeFirstOrThrow();
    expect(companyRow.user_count).toBe(5);
  });

  const invalid: [string, (f: Json) => void, string][] = [
    ['unknown top-level key', (f) => { f.extra = 1; }, '$.extra'],
    ['account uuid not a uuid', (f) => { f.accounts[0].uuid = 'nope'; }, '$.accounts[0].uuid'],
    ['owner not a member', (f) => { f.accounts[1].ownerEmail = 'ghost@example.com'; }, '$.accounts[1].ownerEmail'],
    ['duplicate email in an account', (f) => { f.accounts[0].users[1].email = 'JANE.DOE@example.com'; }, '$.accounts[0].users[1].email'],
    ['store user not an account member', (f) => { f.accounts[0].stores[1].users[0].email = 'owner@other.example'; }, '$.accounts[0].stores[1].users[0].email'],
    ['store app not in the account apps', (f) => { f.accounts[0].stores[0].apps.push(9999); }, '$.accounts[0].stores[0].apps[3]'],
    ['duplicate store hash', (f) => { f.accounts[1].stores[0].storeHash = 'f0qyczpkb2'; }, '$.accounts[1].stores[0].storeHash'],
    ['duplicate API token', (f) => { f.accounts[1].apiAccounts[0].token = 'demo-account-token-read'; }, '$.accounts[1].apiAccounts[0].token'],
    ['unknown scope', (f) => { f.accounts[0].apiAccounts[1].scopes.push('store_v2_products'); }, '$.accounts[0].apiAccounts[1].scopes[4]'],
    ['company user without a role', (f) => { delete f.b2b.stores[0].companies[0].users[1].role; }, '$.b2b.stores[0].companies[0].users[1].role'],
    ['custom role that does not exist', (f) => { f.b2b.stores[0].companies[0].users[3].companyRoleId = 77; }, '$.b2b.stores[0].companies[0].users[3].companyRoleId'],
    ['parent company that does not exist', (f) => { f.b2b.stores[0].companies[1].parentId = 999; }, '$.b2b.stores[0].companies[1].parentId'],
    ['duplicate B2B email in a store', (f) => { f.b2b.stores[0].companies[2].users[0].email = 'walk.in@example.com'; }, '$.b2b.stores[0].companies[2].users[0].email'],
    ['bcId equal to a customer id', (f) => { f.b2b.stores[0].companies[0].users[0].bcId = 321; }, '$.b2b.stores[0].companies[0].users[0].bcId'],
    ['unknown permission code with a bad level', (f) => { f.b2b.stores[0].roles[0].permissions[0].permissionLevel = 1; }, '$.b2b.stores[0].roles[0].permissions[0].permissionLevel'],
    ['rate limit of zero', (f) => { f.settings.accountRateLimit.requests = 0; }, '$.settings.accountRateLimit.requests'],
  ];

  it.each(invalid)('rejects a fixture with %s at its JSON path and writes nothing', async (_name, mutate, path) => {
    const db = await fresh();
    const fixture = cloneDemo<Json>();
    mutate(fixture);
    const error = await loadFixture(db, fixture, clock).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('FIXTURE_INVALID');
    expect((error as { details: { path: string } }).details.path).toBe(path);
    expect((error as Error).message).toContain(path);
    expect(await isDatabaseEmpty(db.kysely)).toBe(true);
  });

  it('rolls back everything when a write fails half-way (one transaction)', async () => {
    const db = await fresh();
    const fixture = cloneDemo<Json>();
    // valid for the validator, but the second account's user id collides with the first's in the database
    fixture.accounts[1].users[0].id = 1001;
    fixture.accounts[1].users[0].email = 'someone.else@example.com';
    fixture.accounts[1].ownerEmail = 'someone.else@example.com';
    fixture.accounts[1].stores[0].ownerEmail = 'someone.else@example.com';
    fixture.accounts[1].stores[0].users[0].email = 'someone.else@example.com';
    await expect(loadFixture(db, fixture, clock)).rejects.toBeTruthy();
    expect(await isDatabaseEmpty(db.kysely)).toBe(true);
    const users = await db.kysely.selectFrom('users').select('id').execute();
    expect(users).toEqual([]);
  });

  it('refuses to load into a database that already holds data', async () => {
    const db = await fresh();
    await loadFixture(db, cloneDemo(), clock);
    await expect(loadFixture(db, cloneDemo(), clock)).rejects.toMatchObject({ code: 'DATABASE_NOT_EMPTY' });
  });
});
