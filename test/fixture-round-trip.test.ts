import { afterEach, describe, expect, it } from 'vitest';
import { gql, TOKEN_FULL } from './account-support.js';
import { b2bGraphqlFixture, people, postman, signIn } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * A state export (GET /_roster/state) loaded as a fixture gives back the world it was taken from,
 * times included: the export carries every entity's createdAt / updatedAt, the loader keeps them
 * instead of stamping the load time, and export -> load -> export is byte-identical. Checked
 * through the APIs that show the times (B2B REST and GraphQL users, Account API store users).
 */
const LOADED = Date.UTC(2026, 0, 5, 8, 0, 0);
const LATER = LOADED + 3 * 86_400_000 + 1234;
const RELOADED = Date.UTC(2027, 6, 1, 0, 0, 0);

/**
 * The B2B GraphQL world plus the fixture keys of b2b-management-rest.md §12 (named channel, customer
 * group, store API accounts with and without client credentials, legacy token, extra-field
 * configurations, Company group / uuid / extra fields, a user's channel set), so they go round too.
 */
function roundTripFixture(): Record<string, unknown> {
  const world = b2bGraphqlFixture() as any; // a fixture tree, edited in place
  const store = world.b2b.stores[0];
  store.channels = [1, { id: 2, name: 'Wholesale', iconUrl: 'https://cdn.example.com/channel-icons/wholesale.svg' }];
  store.customerGroups = [{ id: 4, name: 'Wholesale Tier' }];
  store.apiAccounts.push({ name: 'round-trip-derived', token: 'round-trip-store-token', scopes: ['store_b2b_edition_read_only'] });
  store.userExtraFields = [{ fieldName: 'Cost Center', maximumLength: 50 }];
  store.companyExtraFields = [{ fieldName: 'Tax Code', fieldType: 3, listOfValue: ['G', 'H'] }];
  const greatBuys = store.companies[0];
  Object.assign(greatBuys, { customerGroupId: 4, uuid: 'erp-123456', extraFields: [{ fieldName: 'Tax Code', fieldValue: 'H' }] });
  Object.assign(greatBuys.users[0], { channelIds: [1, 2], extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-7' }] });
  return world;
}

const B2B_USERS = '{ users(companyId: 123456, first: 50) { edges { node { id email firstName createdAt updatedAt } } } }';
const STORE_USERS = '{ account { stores { edges { node { id users { edges { node { id email status updatedAt } } } } } } } }';

describe.each(dialects)('a state export loads back as the same world, times included, on %s', (dialect) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()?.close();
  });

  const views = async (t: TestApp) => {
    const token = await signIn(t.app, people.admin.email);
    const rest = await t.app.inject({ method: 'GET', url: '/api/v2/users?limit=50', headers: { authorization: `Bearer ${token}` } });
    const graphql = await postman(t.app, token, B2B_USERS);
    const account = await gql(t, STORE_USERS, undefined, { token: TOKEN_FULL });
    expect(rest.statusCode).toBe(200);
    expect(graphql.body).not.toHaveProperty('errors');
    expect(account.body).not.toHaveProperty('errors');
    return { rest: rest.body, graphql: graphql.raw, account: JSON.stringify(account.body) };
  };

  it('keeps createdAt and updatedAt through export and load, and a second export is byte-identical', async () => {
    const first = await createTestApp({ dialect, fixture: roundTripFixture(), now: LOADED });
    apps.push(first);
    // a write three days later: that user's updatedAt moves away from its createdAt
    first.clock.advance(LATER - LOADED);
    const token = await signIn(first.app, people.admin.email);
    const updated = await postman(first.app, token, `mutation { userUpdate(userData: { companyId: 123456, userId: ${people.senior.id}, firstName: "Pierre-Later" }) { user { id updatedAt } } }`);
    expect(updated.body.data.userUpdate.user.updatedAt).toBe(Math.floor(LATER / 1000));
    const removed = await gql(first, 'mutation($input: RemoveUserFromStoreInput!) { user { removeUserFromStore(input: $input) { storeId } } }', {
      input: { storeId: 'bc/account/store/f0qyczpkb2', userId: 'bc/account/user/1002' },
    });
    expect(removed.body).not.toHaveProperty('errors');
    const before = await views(first);

    const exported = await first.app.inject({ method: 'GET', url: '/_roster/state?includeSecrets=true' });
    expect(exported.statusCode).toBe(200);
    const state = exported.json();
    const senior = state.b2b.stores[0].companies[0].users.find((u: { id: number }) => u.id === people.senior.id);
    expect(senior).toMatchObject({ firstName: 'Pierre-Later', createdAt: new Date(LOADED).toISOString(), updatedAt: new Date(LATER).toISOString() });
    // the §12 keys are in the export, secrets as hashes (client secrets as stored)
    const b2bStore = state.b2b.stores[0];
    expect(b2bStore).toMatchObject({
      storeId: 1000001,
      channels: [1, { id: 2, name: 'Wholesale', iconUrl: 'https://cdn.example.com/channel-icons/wholesale.svg' }],
      customerGroups: [{ id: 4, name: 'Wholesale Tier' }],
      legacyAuthTokens: [{ name: 'demo-legacy', email: 'jane.doe@example.com' }],
      companyExtraFields: [{ fieldName: 'Tax Code', fieldType: 3, listOfValue: ['G', 'H'] }],
      userExtraFields: [{ fieldName: 'Cost Center', maximumLength: '50' }],
    });
    expect(b2bStore.apiAccounts.map((a: { name: string; tokenHash: string; clientSecret: string }) => [a.name, a.tokenHash.length, a.clientSecret.length > 0])).toEqual([
      ['demo-b2b-modify', 64, true],
      ['demo-b2b-read-only', 64, true],
      ['round-trip-derived', 64, true],
    ]);
    expect(b2bStore.companies[0]).toMatchObject({ customerGroupId: 4, uuid: 'erp-123456', extraFields: [{ fieldName: 'Tax Code', fieldValue: 'H' }] });
    expect(b2bStore.companies[0].users[0]).toMatchObject({ channelId: 1, channelIds: [1, 2], extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-7' }] });

    // loaded a year and a half later: nothing is re-stamped with the load time
    const second = await createTestApp({ dialect, fixture: state, now: RELOADED });
    apps.push(second);
    const after = await views(second);
    expect(after).toEqual(before);
    expect(after.graphql).toContain(`"updatedAt":${Math.floor(LATER / 1000)}`);
    const again = await second.app.inject({ method: 'GET', url: '/_roster/state?includeSecrets=true' });
    expect(again.body).toBe(exported.body);
  });

  it('refuses a time that is not an ISO-8601 date-time, naming its JSON path', async () => {
    const fixture = b2bGraphqlFixture() as { b2b: { stores: { companies: { users: Record<string, unknown>[] }[] }[] } };
    const user = fixture.b2b.stores[0]?.companies[0]?.users[0];
    if (!user) throw new Error('fixture without a company user');
    user.createdAt = 'yesterday';
    await expect(createTestApp({ dialect, fixture, now: LOADED })).rejects.toThrow(/\$\.b2b\.stores\[0\]\.companies\[0\]\.users\[0\]\.createdAt/);
  });
});
