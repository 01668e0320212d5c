import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { exportFixture } from '../src/fixtures/export-fixture.js';
import { isDatabaseEmpty, loadFixture } from '../src/fixtures/load-fixture.js';
import { findStoredStoreTokens } from '../src/fixtures/stored-tokens.js';
import { createClock } from '../src/shared/clock.js';
import { isAppError } from '../src/shared/errors.js';
import { hashToken } from '../src/shared/secrets.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestApp, createTestDatabase, type TestApp } from './helpers/test-app.js';

type Json = Record<string, any>; // fixture trees are loosely typed in tests

/**
 * The fixture keys b2b-management-rest.md §12 adds (store ids, named channels, customer groups,
 * store-level API accounts, legacy authTokens, extra-field configurations, Company group / uuid /
 * extra fields, a channel set per Company user): each loads and reads back (SQL and the state
 * export), each validation rule names its JSON path and writes nothing, an export loads back
 * byte-identical, and reset, snapshots and forks carry the new tables.
 */
const LOADED_AT = '2026-01-01T00:00:00.000Z';
const clock = createClock({ frozenAt: Date.parse(LOADED_AT) });
const STORE = 'f0qyczpkb2';
const ICON = 'https://cdn.example.com/channel-icons/wholesale.svg';
const HASHED_TOKEN = hashToken('a-token-given-only-as-its-hash');
const HASHED_LEGACY = hashToken('a-legacy-token-given-only-as-its-hash');

/** The demo world plus every new key, with and without their defaults. */
function managementFixture(): Json {
  const f = cloneDemo<Json>();
  const store = f.b2b.stores[0];
  store.channels = [1, { id: 2, name: 'Wholesale', iconUrl: ICON }, { id: 3 }];
  store.customerGroups = [
    { id: 4, name: 'Wholesale Tier' },
    { id: 9, name: 'Retail' },
  ];
  store.apiAccounts.push({ tokenHash: HASHED_TOKEN, webhooks: [] });
  store.legacyAuthTokens.push({ tokenHash: HASHED_LEGACY, email: null });
  store.userExtraFields = [
    { fieldName: 'Cost Center', fieldType: 0, maximumLength: '50' },
    { fieldName: 'Seats', fieldType: 2, isRequired: true, isUnique: true, visibleToEnduser: false, maximumValue: 100, configType: 1, defaultValue: '1' },
    { fieldName: 'Notes', fieldType: 1, numberOfRows: 3 },
  ];
  store.companyExtraFields = [{ fieldName: 'Tax Code', fieldType: 3, isRequired: false, listOfValue: ['G', 'H'] }];
  const greatBuys = store.companies[0];
  greatBuys.customerGroupId = 4;
  greatBuys.uuid = 'erp-123456';
  greatBuys.extraFields = [{ fieldName: 'Tax Code', fieldValue: 'G' }];
  greatBuys.users[0].channelIds = [2, 1];
  greatBuys.users[0].extraFields = [
    { fieldName: 'Cost Center', fieldValue: 'CC-1' },
    { fieldName: 'Seats', fieldValue: '12' },
    { fieldName: 'Notes', fieldValue: 'one\ntwo' },
  ];
  greatBuys.users[1].channelId = 2; // channelIds default [2]
  greatBuys.users[2].channelIds = [3]; // channelId (origin) default 3
  // a B2B store for the second account's store (storeId derived from it), and one the accounts do not know
  f.b2b.stores.push(
    { storeHash: 'z7y6x5w4v3', apiAccounts: [{ name: 'other-b2b', token: 'other-store-token-b2b', scopes: [] }] },
    { storeHash: 'b2bonly01', channels: [{ id: 7, name: 'Only' }] },
  );
  return f;
}

describe.each(dialects)('B2B Management fixture additions on %s', (dialect) => {
  const opened: (Database & { drop(): Promise<void> })[] = [];
  const apps: TestApp[] = [];
  const fresh = async () => {
    const db = await createTestDatabase(dialect);
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    while (opened.length > 0) await opened.pop()?.drop();
    while (apps.length > 0) await apps.pop()?.close();
  });

  it('stores every new key with its defaults (read back through SQL)', async () => {
    const db = await fresh();
    await loadFixture(db, managementFixture(), clock);
    const k = db.kysely;

    expect(await k.selectFrom('b2b_stores').select(['store_hash', 'store_id']).orderBy('store_hash').execute()).toEqual([
      { store_hash: 'b2bonly01', store_id: null },
      { store_hash: STORE, store_id: 1000001 },
      { store_hash: 'z7y6x5w4v3', store_id: 2000001 },
    ]);
    expect(await k.selectFrom('b2b_channels').selectAll().orderBy('store_hash').orderBy('channel_id').execute()).toEqual([
      { store_hash: 'b2bonly01', channel_id: 7, name: 'Only', icon_url: null },
      { store_hash: STORE, channel_id: 1, name: null, icon_url: null },
      { store_hash: STORE, channel_id: 2, name: 'Wholesale', icon_url: ICON },
      { store_hash: STORE, channel_id: 3, name: null, icon_url: null },
      { store_hash: 'z7y6x5w4v3', channel_id: 1, name: null, icon_url: null },
    ]);
    expect(await k.selectFrom('b2b_customer_groups').selectAll().orderBy('id').execute()).toEqual([
      { store_hash: STORE, id: 4, name: 'Wholesale Tier' },
      { store_hash: STORE, id: 9, name: 'Retail' },
    ]);

    const accounts = await k.selectFrom('b2b_api_accounts').select(['id', 'store_hash', 'name', 'token_hash', 'client_id', 'client_secret', 'scopes']).orderBy('id').execute();
    // after the three account-level API accounts: one id space
    expect(accounts.map((a) => a.id)).toEqual([4, 5, 6, 7]);
    expect(accounts.slice(0, 2)).toEqual([
      { id: 4, store_hash: STORE, name: 'demo-b2b-modify', token_hash: hashToken('demo-store-token-b2b'), client_id: 'demo-b2b-client-id', client_secret: 'demo-b2b-client-secret', scopes: '["store_b2b_edition"]' },
      {
        id: 5,
        store_hash: STORE,
        name: 'demo-b2b-read-only',
        token_hash: hashToken('demo-store-token-b2b-read-only'),
        client_id: 'demo-b2b-read-only-client-id',
        client_secret: 'demo-b2b-read-only-client-secret',
        scopes: '["store_b2b_edition_read_only"]',
      },
    ]);
    // defaults: name from the id, modify scope, client id and secret derived from the token
    const defaulted = accounts[2] as Json;
    expect(defaulted).toMatchObject({ name: 'api-account-6', token_hash: HASHED_TOKEN, scopes: '["store_b2b_edition"]' });
    expect(defaulted.client_id).toMatch(/^[0-9a-z]{31}$/);
    expect(defaulted.client_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(accounts[3]).toMatchObject({ store_hash: 'z7y6x5w4v3', name: 'other-b2b', scopes: '[]' });

    expect(await k.selectFrom('b2b_legacy_tokens').select(['token_hash', 'store_hash', 'name', 'email']).orderBy('name').execute()).toEqual([
      { token_hash: hashToken('demo-legacy-b2b-authtoken'), store_hash: STORE, name: 'demo-legacy', email: 'jane.doe@example.com' },
      { token_hash: HASHED_LEGACY, store_hash: STORE, name: 'legacy-token-2', email: null },
    ]);

    // plaintext tokens are nowhere in the database
    const everything = JSON.stringify(await Promise.all(['b2b_api_accounts', 'b2b_legacy_tokens'].map((t) => k.selectFrom(t as 'b2b_api_accounts').selectAll().execute())));
    for (const token of ['demo-store-token-b2b', 'demo-legacy-b2b-authtoken', 'other-store-token-b2b']) expect(everything).not.toContain(`"${token}`);

    expect(await k.selectFrom('b2b_extra_field_configs').selectAll().orderBy('kind').orderBy('position').execute()).toEqual([
      {
        store_hash: STORE, kind: 'company', position: 1, field_name: 'Tax Code', field_type: 3, is_required: 0, is_unique: 0, visible_to_enduser: 1,
        config_type: 2, default_value: '', maximum_length: '', number_of_rows: '', maximum_value: '', list_of_value: '["G","H"]',
      },
      {
        store_hash: STORE, kind: 'user', position: 1, field_name: 'Cost Center', field_type: 0, is_required: 0, is_unique: 0, visible_to_enduser: 1,
        config_type: 2, default_value: '', maximum_length: '50', number_of_rows: '', maximum_value: '', list_of_value: '[]',
      },
      {
        store_hash: STORE, kind: 'user', position: 2, field_name: 'Seats', field_type: 2, is_required: 1, is_unique: 1, visible_to_enduser: 0,
        config_type: 1, default_value: '1', maximum_length: '', number_of_rows: '', maximum_value: '100', list_of_value: '[]',
      },
      {
        store_hash: STORE, kind: 'user', position: 3, field_name: 'Notes', field_type: 1, is_required: 0, is_unique: 0, visible_to_enduser: 1,
        config_type: 2, default_value: '', maximum_length: '', number_of_rows: '3', maximum_value: '', list_of_value: '[]',
      },
    ]);

    expect(await k.selectFrom('companies').select(['id', 'customer_group_id', 'uuid', 'extra_fields']).where('store_hash', '=', STORE).orderBy('id').execute()).toEqual([
      { id: 123456, customer_group_id: 4, uuid: 'erp-123456', extra_fields: '[{"fieldName":"Tax Code","fieldValue":"G"}]' },
      { id: 123457, customer_group_id: 0, uuid: null, extra_fields: '[]' },
      { id: 223344, customer_group_id: 0, uuid: null, extra_fields: '[]' },
      { id: 334455, customer_group_id: 0, uuid: null, extra_fields: '[]' },
    ]);

    // the channel set of each user, and the origin channel beside it
    const sets = await k.selectFrom('company_user_channels').selectAll().where('user_id', 'in', [123, 124, 125, 126]).orderBy('user_id').orderBy('channel_id').execute();
    expect(sets).toEqual([
      { user_id: 123, store_hash: STORE, channel_id: 1 },
      { user_id: 123, store_hash: STORE, channel_id: 2 },
      { user_id: 124, store_hash: STORE, channel_id: 2 },
      { user_id: 125, store_hash: STORE, channel_id: 3 },
      { user_id: 126, store_hash: STORE, channel_id: 1 },
    ]);
    const origins = await k.selectFrom('company_users').select(['id', 'channel_id']).where('id', 'in', [123, 124, 125, 126]).orderBy('id').execute();
    expect(origins).toEqual([
      { id: 123, channel_id: 2 },
      { id: 124, channel_id: 2 },
      { id: 125, channel_id: 3 },
      { id: 126, channel_id: 1 },
    ]);
    // every Company user of the fixture has a channel set
    const users = await k.selectFrom('company_users').select('id').execute();
    const withSet = new Set((await k.selectFrom('company_user_channels').select('user_id').execute()).map((r) => r.user_id));
    expect(users.filter((u) => !withSet.has(u.id))).toEqual([]);
  });

  it('derives missing client ids and secrets from the token: the same on every load, different per account', async () => {
    const read = async () => {
      const db = await fresh();
      await loadFixture(db, managementFixture(), clock);
      return db.kysely.selectFrom('b2b_api_accounts').select(['client_id', 'client_secret']).orderBy('id').execute();
    };
    const [first, second] = [await read(), await read()];
    expect(second).toEqual(first);
    expect(new Set(first.map((a) => a.client_id)).size).toBe(first.length);
    expect(new Set(first.map((a) => a.client_secret)).size).toBe(first.length);
  });

  it('exports the new keys: token hashes and client secrets only with the secrets', async () => {
    const db = await fresh();
    await loadFixture(db, managementFixture(), clock);
    const full = (await exportFixture(db.kysely, { includeSecrets: true })) as Json;
    const [b2bOnly, store, other] = full.b2b.stores;
    expect(b2bOnly).not.toHaveProperty('storeId');
    expect(b2bOnly.channels).toEqual([{ id: 7, name: 'Only' }]);
    expect(store.storeId).toBe(1000001);
    expect(other.storeId).toBe(2000001);
    expect(store.channels).toEqual([1, { id: 2, name: 'Wholesale', iconUrl: ICON }, 3]);
    expect(store.customerGroups).toEqual([
      { id: 4, name: 'Wholesale Tier' },
      { id: 9, name: 'Retail' },
    ]);
    expect(store.apiAccounts.slice(0, 2)).toEqual([
      { name: 'demo-b2b-modify', tokenHash: hashToken('demo-store-token-b2b'), clientId: 'demo-b2b-client-id', clientSecret: 'demo-b2b-client-secret', scopes: ['store_b2b_edition'] },
      {
        name: 'demo-b2b-read-only',
        tokenHash: hashToken('demo-store-token-b2b-read-only'),
        clientId: 'demo-b2b-read-only-client-id',
        clientSecret: 'demo-b2b-read-only-client-secret',
        scopes: ['store_b2b_edition_read_only'],
      },
    ]);
    expect(store.apiAccounts[2]).toMatchObject({ name: 'api-account-6', tokenHash: HASHED_TOKEN, scopes: ['store_b2b_edition'] });
    expect(store.legacyAuthTokens).toEqual(
      [
        { name: 'demo-legacy', tokenHash: hashToken('demo-legacy-b2b-authtoken'), email: 'jane.doe@example.com' },
        { name: 'legacy-token-2', tokenHash: HASHED_LEGACY },
      ].sort((x, y) => x.tokenHash.localeCompare(y.tokenHash)),
    );
    expect(store.userExtraFields).toEqual([
      {
        fieldName: 'Cost Center', fieldType: 0, isRequired: false, isUnique: false, visibleToEnduser: true, configType: 2,
        defaultValue: '', maximumLength: '50', numberOfRows: '', maximumValue: '', listOfValue: [],
      },
      {
        fieldName: 'Seats', fieldType: 2, isRequired: true, isUnique: true, visibleToEnduser: false, configType: 1,
        defaultValue: '1', maximumLength: '', numberOfRows: '', maximumValue: '100', listOfValue: [],
      },
      {
        fieldName: 'Notes', fieldType: 1, isRequired: false, isUnique: false, visibleToEnduser: true, configType: 2,
        defaultValue: '', maximumLength: '', numberOfRows: '3', maximumValue: '', listOfValue: [],
      },
    ]);
    expect(store.companyExtraFields).toEqual([
      {
        fieldName: 'Tax Code', fieldType: 3, isRequired: false, isUnique: false, visibleToEnduser: true, configType: 2,
        defaultValue: '', maximumLength: '', numberOfRows: '', maximumValue: '', listOfValue: ['G', 'H'],
      },
    ]);
    const greatBuys = store.companies[0];
    expect(greatBuys).toMatchObject({ customerGroupId: 4, uuid: 'erp-123456', extraFields: [{ fieldName: 'Tax Code', fieldValue: 'G' }] });
    expect(store.companies[1]).toMatchObject({ customerGroupId: 0, uuid: null, extraFields: [] });
    expect(greatBuys.users.map((u: Json) => [u.id, u.channelId, u.channelIds])).toEqual([
      [123, 2, [1, 2]],
      [124, 2, [2]],
      [125, 3, [3]],
      [126, 1, [1]],
    ]);

    const plain = (await exportFixture(db.kysely)) as Json;
    const text = JSON.stringify(plain);
    expect(text).not.toContain('tokenHash');
    expect(text).not.toContain('clientSecret');
    expect(text).not.toContain('demo-b2b-client-secret');
    expect(plain.b2b.stores[1].apiAccounts.map((a: Json) => a.clientId).slice(0, 2)).toEqual(['demo-b2b-client-id', 'demo-b2b-read-only-client-id']);
  });

  it('loads its export back byte-identical, new keys included', async () => {
    const db = await fresh();
    await loadFixture(db, managementFixture(), clock);
    const exported = JSON.stringify(await exportFixture(db.kysely, { includeSecrets: true }));
    const second = await fresh();
    await loadFixture(second, JSON.parse(exported), createClock({ frozenAt: Date.parse('2027-06-01T00:00:00.000Z') }));
    expect(JSON.stringify(await exportFixture(second.kysely, { includeSecrets: true }))).toBe(exported);
    const tables = ['b2b_api_accounts', 'b2b_legacy_tokens', 'b2b_channels', 'b2b_customer_groups', 'b2b_extra_field_configs', 'company_user_channels'] as const;
    for (const table of tables) {
      const rows = async (d: Database) => (await d.kysely.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify({ ...r, created_at: undefined })).sort();
      expect(await rows(second), table).toEqual(await rows(db));
    }
  });

  it('finds the demo store tokens the database holds (what npm start prints), and none of another world', async () => {
    const db = await fresh();
    await loadFixture(db, cloneDemo(), clock);
    expect(await findStoredStoreTokens(db.kysely, cloneDemo())).toEqual([
      { kind: 'api-account', storeHash: STORE, token: 'demo-store-token-b2b', scopes: ['store_b2b_edition'] },
      { kind: 'api-account', storeHash: STORE, token: 'demo-store-token-b2b-read-only', scopes: ['store_b2b_edition_read_only'] },
      { kind: 'legacy', storeHash: STORE, token: 'demo-legacy-b2b-authtoken', scopes: [] },
    ]);
    const other = await fresh();
    const world = cloneDemo<Json>();
    world.b2b.stores[0].apiAccounts[0].token = 'not-the-demo-token';
    delete world.b2b.stores[0].legacyAuthTokens;
    await loadFixture(other, world, clock);
    expect((await findStoredStoreTokens(other.kysely, cloneDemo())).map((t) => t.token)).toEqual(['demo-store-token-b2b-read-only']);
  });

  const s0 = '$.b2b.stores[0]';
  const invalid: [string, (f: Json) => void, string][] = [
    ['a store API token equal to an account API token', (f) => { f.b2b.stores[0].apiAccounts[1].token = 'demo-account-token-read'; }, `${s0}.apiAccounts[1].token`],
    ['a legacy token equal to a store API token', (f) => { f.b2b.stores[0].legacyAuthTokens[0].token = 'demo-store-token-b2b'; }, `${s0}.legacyAuthTokens[0].token`],
    ['a legacy tokenHash of an account token', (f) => { f.b2b.stores[0].legacyAuthTokens[0] = { name: 'x', tokenHash: hashToken('demo-account-token-full') }; }, `${s0}.legacyAuthTokens[0].tokenHash`],
    ['a store token in a second B2B store', (f) => { f.b2b.stores[1].apiAccounts[0].token = 'demo-legacy-b2b-authtoken'; }, '$.b2b.stores[1].apiAccounts[0].token'],
    ['token and tokenHash both', (f) => { f.b2b.stores[0].apiAccounts[0].tokenHash = HASHED_TOKEN; }, `${s0}.apiAccounts[0].tokenHash`],
    ['neither token nor tokenHash', (f) => { delete f.b2b.stores[0].apiAccounts[0].token; }, `${s0}.apiAccounts[0].token`],
    ['a tokenHash that is not a SHA-256 digest', (f) => { f.b2b.stores[0].legacyAuthTokens[0] = { tokenHash: 'ABC' }; }, `${s0}.legacyAuthTokens[0].tokenHash`],
    ['a duplicate clientId', (f) => { f.b2b.stores[0].apiAccounts[1].clientId = 'demo-b2b-client-id'; }, `${s0}.apiAccounts[1].clientId`],
    ['a duplicate clientId in another store', (f) => { f.b2b.stores[1].apiAccounts[0].clientId = 'demo-b2b-read-only-client-id'; }, '$.b2b.stores[1].apiAccounts[0].clientId'],
    ['a blank clientSecret', (f) => { f.b2b.stores[0].apiAccounts[0].clientSecret = ' '; }, `${s0}.apiAccounts[0].clientSecret`],
    ['a scope outside store_*', (f) => { f.b2b.stores[0].apiAccounts[0].scopes = ['store_b2b_edition', 'B2B Edition']; }, `${s0}.apiAccounts[0].scopes[1]`],
    ['an account scope on a store API account', (f) => { f.b2b.stores[0].apiAccounts[0].scopes = ['account_read']; }, `${s0}.apiAccounts[0].scopes[0]`],
    ['webhooks that are not an array', (f) => { f.b2b.stores[0].apiAccounts[0].webhooks = {}; }, `${s0}.apiAccounts[0].webhooks`],
    ['an unknown API account key', (f) => { f.b2b.stores[0].apiAccounts[0].secret = 'x'; }, `${s0}.apiAccounts[0].secret`],
    ['a legacy token e-mail that is not one', (f) => { f.b2b.stores[0].legacyAuthTokens[0].email = 'jane'; }, `${s0}.legacyAuthTokens[0].email`],
    ['a storeId other than the accounts store id', (f) => { f.b2b.stores[0].storeId = 1000002; }, `${s0}.storeId`],
    ['a storeId of another store', (f) => { f.b2b.stores[2].storeId = 1000001; }, '$.b2b.stores[2].storeId'],
    ['a storeId given twice', (f) => { f.b2b.stores[1].storeHash = 'b2bonly02'; f.b2b.stores[1].storeId = 77; f.b2b.stores[2].storeId = 77; }, '$.b2b.stores[2].storeId'],
    ['a storeId that is not an id', (f) => { f.b2b.stores[0].storeId = '1000001'; }, `${s0}.storeId`],
    ['a channel object with an unknown key', (f) => { f.b2b.stores[0].channels = [1, { id: 2, colour: 'red' }]; }, `${s0}.channels[1].colour`],
    ['a channel given twice (number and object)', (f) => { f.b2b.stores[0].channels = [1, { id: 1, name: 'Again' }]; }, `${s0}.channels[1].id`],
    ['a blank channel name', (f) => { f.b2b.stores[0].channels = [{ id: 1, name: '' }]; }, `${s0}.channels[0].name`],
    ['a channel icon that is not a URL', (f) => { f.b2b.stores[0].channels = [{ id: 1, iconUrl: 'icon.svg' }]; }, `${s0}.channels[0].iconUrl`],
    ['a customer group given twice', (f) => { f.b2b.stores[0].customerGroups = [{ id: 4, name: 'A' }, { id: 4, name: 'B' }]; }, `${s0}.customerGroups[1].id`],
    ['a customer group without a name', (f) => { f.b2b.stores[0].customerGroups = [{ id: 4 }]; }, `${s0}.customerGroups[0].name`],
    ['a negative customerGroupId', (f) => { f.b2b.stores[0].companies[0].customerGroupId = -1; }, `${s0}.companies[0].customerGroupId`],
    ['a fractional customerGroupId', (f) => { f.b2b.stores[0].companies[0].customerGroupId = 1.5; }, `${s0}.companies[0].customerGroupId`],
    ['a Company uuid that is not a string', (f) => { f.b2b.stores[0].companies[0].uuid = 42; }, `${s0}.companies[0].uuid`],
    ['a channelIds entry that is not a channel of the store', (f) => { f.b2b.stores[0].companies[0].users[0].channelIds = [1, 5]; }, `${s0}.companies[0].users[0].channelIds[1]`],
    ['a channelIds entry given twice', (f) => { f.b2b.stores[0].companies[0].users[0].channelIds = [2, 2]; }, `${s0}.companies[0].users[0].channelIds[1]`],
    ['channelIds without the channelId', (f) => { Object.assign(f.b2b.stores[0].companies[0].users[0], { channelId: 1, channelIds: [2] }); }, `${s0}.companies[0].users[0].channelIds`],
    ['a channelId that is not a channel of the store', (f) => { f.b2b.stores[0].companies[0].users[1].channelId = 9; }, `${s0}.companies[0].users[1].channelId`],
    ['an extra-field config given twice', (f) => { f.b2b.stores[0].userExtraFields.push({ fieldName: 'Seats' }); }, `${s0}.userExtraFields[3].fieldName`],
    ['an extra-field type outside 0-3', (f) => { f.b2b.stores[0].companyExtraFields[0].fieldType = 4; }, `${s0}.companyExtraFields[0].fieldType`],
    ['an extra-field flag that is not a boolean', (f) => { f.b2b.stores[0].userExtraFields[0].isRequired = 'yes'; }, `${s0}.userExtraFields[0].isRequired`],
    ['a maximumLength that is not a number', (f) => { f.b2b.stores[0].userExtraFields[0].maximumLength = 'fifty'; }, `${s0}.userExtraFields[0].maximumLength`],
    ['a dropdown without values', (f) => { f.b2b.stores[0].companyExtraFields[0].listOfValue = []; }, `${s0}.companyExtraFields[0].listOfValue`],
    ['a default value outside the dropdown', (f) => { f.b2b.stores[0].companyExtraFields[0].defaultValue = 'X'; }, `${s0}.companyExtraFields[0].defaultValue`],
    ['an unknown extra-field config key', (f) => { f.b2b.stores[0].userExtraFields[0].label = 'x'; }, `${s0}.userExtraFields[0].label`],
    ['a user extra field not declared', (f) => { f.b2b.stores[0].companies[0].users[1].extraFields = [{ fieldName: 'Department', fieldValue: 'x' }]; }, `${s0}.companies[0].users[1].extraFields[0].fieldName`],
    ['a Company extra field not declared', (f) => { f.b2b.stores[0].companies[1].extraFields = [{ fieldName: 'Cost Center', fieldValue: 'x' }]; }, `${s0}.companies[1].extraFields[0].fieldName`],
    ['a dropdown value not in listOfValue', (f) => { f.b2b.stores[0].companies[0].extraFields[0].fieldValue = 'Z'; }, `${s0}.companies[0].extraFields[0].fieldValue`],
    ['a number field that is not numeric', (f) => { f.b2b.stores[0].companies[0].users[0].extraFields[1].fieldValue = 'twelve'; }, `${s0}.companies[0].users[0].extraFields[1].fieldValue`],
    ['a number above maximumValue', (f) => { f.b2b.stores[0].companies[0].users[0].extraFields[1].fieldValue = '101'; }, `${s0}.companies[0].users[0].extraFields[1].fieldValue`],
    ['a text longer than maximumLength', (f) => { f.b2b.stores[0].companies[0].users[0].extraFields[0].fieldValue = 'x'.repeat(51); }, `${s0}.companies[0].users[0].extraFields[0].fieldValue`],
    ['a multiline text with more lines than numberOfRows', (f) => { f.b2b.stores[0].companies[0].users[0].extraFields[2].fieldValue = 'a\nb\nc\nd'; }, `${s0}.companies[0].users[0].extraFields[2].fieldValue`],
    ['an extra field given twice on one user', (f) => { f.b2b.stores[0].companies[0].users[0].extraFields.push({ fieldName: 'Seats', fieldValue: '3' }); }, `${s0}.companies[0].users[0].extraFields[3].fieldName`],
    ['a Company extra field value that is not a string', (f) => { f.b2b.stores[0].companies[0].extraFields[0].fieldValue = 7; }, `${s0}.companies[0].extraFields[0].fieldValue`],
    ['an unknown B2B store key', (f) => { f.b2b.stores[0].webhooks = []; }, `${s0}.webhooks`],
  ];

  it.each(invalid)('rejects %s at its JSON path and writes nothing', async (_name, mutate, path) => {
    const db = await fresh();
    const fixture = managementFixture();
    mutate(fixture);
    const error = await loadFixture(db, fixture, clock).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe('FIXTURE_INVALID');
    expect((error as { details: { path: string } }).details.path).toBe(path);
    expect((error as Error).message).toContain(path);
    expect(await isDatabaseEmpty(db.kysely)).toBe(true);
  });

  it('accepts what the rules allow: any field name and value with no configs declared, [] scopes, an empty channel set', async () => {
    const db = await fresh();
    const f = cloneDemo<Json>();
    const user = f.b2b.stores[0].companies[0].users[0];
    user.extraFields = [{ fieldName: 'Anything', fieldValue: 'x'.repeat(300) }];
    user.channelIds = [];
    f.b2b.stores[0].companies[0].extraFields = [{ fieldName: 'Whatever', fieldValue: 'y' }];
    f.b2b.stores[0].apiAccounts[1].scopes = [];
    await loadFixture(db, f, clock);
    expect(await db.kysely.selectFrom('company_user_channels').selectAll().where('user_id', '=', 123).execute()).toEqual([]);
    expect((await db.kysely.selectFrom('company_users').select('channel_id').where('id', '=', 123).executeTakeFirstOrThrow()).channel_id).toBe(1);
    const exported = (await exportFixture(db.kysely, { includeSecrets: true })) as Json;
    expect(exported.b2b.stores[0].companies[0].users[0]).toMatchObject({ channelId: 1, channelIds: [] });
    expect(exported.b2b.stores[0].apiAccounts[1].scopes).toEqual([]);
  });

  it('reset, snapshots and forks carry the store API accounts, legacy tokens and channel sets', async () => {
    const t = await createTestApp({ dialect, fixture: managementFixture(), now: Date.parse(LOADED_AT) });
    apps.push(t);
    const inject = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, ...(payload ? { payload } : {}) });
    const state = async (prefix = '') => {
      const res = await inject('GET', `${prefix}/_roster/state?includeSecrets=true`);
      expect(res.statusCode).toBe(200);
      return res.body;
    };
    const loaded = await state();
    const counts = async () => {
      const k = t.database.kysely;
      return {
        accounts: (await k.selectFrom('b2b_api_accounts').select('id').execute()).length,
        legacy: (await k.selectFrom('b2b_legacy_tokens').select('token_hash').execute()).length,
        sets: (await k.selectFrom('company_user_channels').select('user_id').execute()).length,
        configs: (await k.selectFrom('b2b_extra_field_configs').select('field_name').execute()).length,
      };
    };
    const full = await counts();
    expect(full).toEqual({ accounts: 4, legacy: 2, sets: 8, configs: 4 });
    const wipe = async () => {
      const k = t.database.kysely;
      await k.deleteFrom('company_user_channels').execute();
      await k.deleteFrom('b2b_api_accounts').execute();
      await k.deleteFrom('b2b_legacy_tokens').execute();
      await k.deleteFrom('b2b_extra_field_configs').execute();
      expect(await counts()).toEqual({ accounts: 0, legacy: 0, sets: 0, configs: 0 });
    };

    // reset
    await wipe();
    expect((await inject('POST', '/_roster/reset')).statusCode).toBe(200);
    expect(await counts()).toEqual(full);
    expect(await state()).toBe(loaded);

    // snapshot taken, rows removed, snapshot restored
    expect((await inject('POST', '/_roster/snapshots', { name: 'with-credentials' })).statusCode).toBe(201);
    await wipe();
    expect((await inject('POST', '/_roster/snapshots/with-credentials/restore')).statusCode).toBe(200);
    expect(await counts()).toEqual(full);
    expect(await state()).toBe(loaded);

    // a fork of the main world holds the same rows (its export shows them), and keeps them when the main world loses them
    const fork = await inject('POST', '/_roster/forks');
    expect(fork.statusCode).toBe(201);
    const prefix = `/f/${fork.json().id}`;
    expect(await state(prefix)).toBe(loaded);
    await wipe();
    expect(await state(prefix)).toBe(loaded);
    const forkState = JSON.parse(await state(prefix)) as Json;
    expect(forkState.b2b.stores[1].apiAccounts[0]).toMatchObject({ name: 'demo-b2b-modify', clientSecret: 'demo-b2b-client-secret' });
    expect(forkState.b2b.stores[1].companies[0].users[0].channelIds).toEqual([1, 2]);
  });
});
