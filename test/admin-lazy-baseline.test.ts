import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ACCOUNT = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';
const headers = { 'content-type': 'application/json', 'x-auth-token': 'demo-account-token-full' };

/** A world bigger than the eager limit (here: 5 rows) takes its reset baseline just before its first write. */
describe.each(dialects)('deferred reset baseline on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('reads leave it deferred; the first write takes it first, so reset still returns to the start-up state', async () => {
    t = await createTestApp({ dialect, eagerBaselineRows: 5 });
    const worlds = t.app.controls.worlds;
    const initial = (await t.app.inject({ method: 'GET', url: '/_roster/state' })).json();
    expect(worlds.isBaselinePending(worlds.main)).toBe(true);

    const read = await t.app.inject({ method: 'POST', url: ACCOUNT, headers, payload: { query: '{ account { users { collectionInfo { totalItems } } } }' } });
    expect(read.json().data.account.users.collectionInfo.totalItems).toBe(3);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/users' })).statusCode).toBe(401);
    // signing in writes nothing: REST token endpoint and GraphQL login leave it deferred
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/io/auth/customers',
      payload: { storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1, name: 'lazy' },
    });
    expect(signIn.statusCode).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: 'mutation { login(loginData: { storeHash: "f0qyczpkb2", email: "m.curie@greatbuys.com", password: "Passw0rd!" }) { result { token } } }' },
    });
    expect(login.json().data.login.result.token).toEqual(expect.any(String));
    expect(worlds.isBaselinePending(worlds.main)).toBe(true);
    // a B2B GraphQL read, also when the document holds a mutation that operationName does not select
    const token = login.json().data.login.result.token as string;
    const b2bRead = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        query: 'query Read { users(companyId: 123456, first: 1) { totalCount } } mutation Gone { userDelete(userId: 1, companyId: 123456) { message } }',
        operationName: 'Read',
      },
    });
    expect(b2bRead.json().data.users.totalCount).toBeGreaterThan(0);
    expect(worlds.isBaselinePending(worlds.main)).toBe(true);

    const write = await t.app.inject({
      method: 'POST',
      url: ACCOUNT,
      headers,
      payload: { query: 'mutation { account { addUserToAccount(input: { email: "lazy@example.com" }) { account { id } } } }' },
    });
    expect(write.json().errors).toBeUndefined();
    expect(worlds.isBaselinePending(worlds.main)).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/_roster/state' })).json()).not.toEqual(initial);

    expect((await t.app.inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBeLessThan(300);
    expect((await t.app.inject({ method: 'GET', url: '/_roster/state' })).json()).toEqual(initial);
  });

  it('a reset or a fork before any write takes it then', async () => {
    t = await createTestApp({ dialect, eagerBaselineRows: 5 });
    const worlds = t.app.controls.worlds;
    expect((await t.app.inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBeLessThan(300);
    expect(worlds.isBaselinePending(worlds.main)).toBe(false);
  });
});
