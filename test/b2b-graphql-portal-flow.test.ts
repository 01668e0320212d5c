import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GREAT_BUYS,
  GREAT_BUYS_WEST,
  LOGIN,
  PASSWORD,
  STORE,
  b2bGraphqlFixture,
  currentCustomerJwt,
  people,
  portal,
  signIn,
} from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The official Buyer Portal's User management, as it talks to `POST /graphql`: the exact documents,
 * variables and headers of b2b-graphql/observed-requests.md §1 (fetch's `accept: *\/*`, the
 * two-space bearer, a bare `Bearer` when signed out, no operationName, undeclared variables).
 */
const B2B_AUTHORIZATION_ANON = (jwt: string) =>
  `mutation {\n\tauthorization(authData: {\n\t\tbcToken: "${jwt}"\n\t\tchannelId: 1\n\t}) {\n\t\tresult {\n\t\t\ttoken\n\t\t\tloginType\n\t\t\tpermissions { code permissionLevel }\n\t\t}\n\t}\n}`;
const B2B_AUTHORIZATION = `mutation B2BAuthorization($authData: UserAuthType!) { authorization(authData: $authData) { result { permissions { code permissionLevel } } } }`;
const USER_COMPANY = (userId: number) => `{ userCompany( userId: ${userId} ) { companyName, companyStatus, id, } }`;
const COMPANY_ROLES = `query CompanyRoles { companyRoles ( first: 10 offset: 0 search: "" ) { edges { node { id name roleLevel roleType } }, totalCount pageInfo{ hasNextPage, hasPreviousPage, }, } }`;
const GET_USERS = `query GetUsers($first: Int!, $offset: Int!, $q: String, $companyId: Int!, $companyRoleId: Decimal) { users ( first: $first search: $q offset: $offset companyId: $companyId companyRoleId: $companyRoleId ){ totalCount, edges{ node{ id, firstName, lastName, email, companyRoleName, companyInfo { companyId, }, } } } }`;
const GET_USER = `query GetUser($userId: Int!, $companyId: Int!) { user ( userId: $userId companyId: $companyId ) { firstName, lastName, email, phone, companyRoleId, companyRoleName, extraFields { fieldName fieldValue } } }`;
const USER_EMAIL_CHECK = `query UserEmailCheck ($email: String!, $companyId: Int, $storeHash: String!, $channelId: Int) { userEmailCheck ( email: $email, companyId: $companyId, storeHash: $storeHash, channelId: $channelId ){ userType, userInfo { companyName } } }`;
const CREATE_USER = `mutation CreateUser ($userData: UserInputType!) { userCreate ( userData: $userData ){ user { id } } }`;
const UPDATE_USER = `mutation UpdateUser ($userData: UserUpdateInputType!) { userUpdate ( userData: $userData ) { user { id } } }`;
const DELETE_USER = `mutation DeleteUser ($companyId: Int!, $userId: Int!) { userDelete ( companyId: $companyId, userId: $userId ) { message } }`;
const EXTRA_FIELDS = `query GetUserExtraFields { userExtraFields { fieldName fieldType isRequired defaultValue maximumLength numberOfRows maximumValue listOfValue visibleToEnduser labelName } }`;
/** what older portals send: `role` instead of `companyRoleId`, read back with the role fields */
const CREATE_USER_WITH_ROLE = `mutation CreateUser ($userData: UserInputType!) { userCreate ( userData: $userData ){ user { id bcId role companyRoleId companyRoleName } } }`;
const USERS_BY_ROLE = `query ($companyId: Int!, $role: Decimal) { users(companyId: $companyId, role: $role, first: 50) { totalCount edges { node { id role companyRoleId companyRoleName } } } }`;

/** a success as the portal sees it: HTTP 200, JSON, data, and no `errors` key at all */
function expectSuccess(res: { status: number; headers: Record<string, unknown>; body: Record<string, unknown> }) {
  expect(res.status).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(res.body).not.toHaveProperty('errors');
  expect(res.body).toHaveProperty('data');
}

describe.each(dialects)('Buyer Portal user management over B2B GraphQL on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  const created: { id: number; email: string; companyRoleId: number }[] = [];

  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: b2bGraphqlFixture() });
  });
  afterAll(async () => t.close());

  it('signs in with an empty bearer (performB2BLogin): token, storefront login token, permissions', async () => {
    const res = await portal(t.app, undefined, LOGIN, { loginData: { email: people.admin.email, password: PASSWORD, storeHash: STORE, channelId: 1 } });
    expectSuccess(res);
    const result = res.body.data.login.result;
    expect(typeof result.token).toBe('string');
    expect(result.token.split('.')).toHaveLength(3);
    expect(typeof result.storefrontLoginToken).toBe('string');
    const claims = JSON.parse(Buffer.from(result.storefrontLoginToken.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ operation: 'customer_login', store_hash: STORE, customer_id: people.admin.bcId, channel_id: 1 });
    expect(result.permissions).toEqual(
      expect.arrayContaining(['get_users', 'get_user_detail', 'create_user', 'update_user', 'delete_user', 'get_roles'].map((code) => ({ code, permissionLevel: 2 }))),
    );
    token = result.token;
  });

  it('exchanges a Current Customer JWT signed out (getB2BToken, inlined with tabs) and signed in (b2bAuthorization)', async () => {
    const anonymous = await portal(t.app, undefined, B2B_AUTHORIZATION_ANON(currentCustomerJwt(people.admin.bcId, t.clock.now())));
    expectSuccess(anonymous);
    expect(anonymous.body.data.authorization.result).toMatchObject({ loginType: 2 });
    expect(typeof anonymous.body.data.authorization.result.token).toBe('string');
    expect(anonymous.body.data.authorization.result.permissions).toContainEqual({ code: 'create_user', permissionLevel: 2 });

    const withToken = await portal(t.app, token, B2B_AUTHORIZATION, { authData: { bcToken: currentCustomerJwt(people.admin.bcId, t.clock.now()), channelId: 1 } });
    expectSuccess(withToken);
    expect(withToken.body.data.authorization.result.permissions).toContainEqual({ code: 'get_users', permissionLevel: 2 });
  });

  it('reads its Company (getUserCompany, inlined with trailing commas)', async () => {
    const res = await portal(t.app, token, USER_COMPANY(people.admin.id));
    expectSuccess(res);
    expect(res.body.data.userCompany).toEqual({ companyName: 'Great Buys', companyStatus: 1, id: String(GREAT_BUYS) });
  });

  it('lists the roles for the role picker (getB2BRoleList): predefined roles first, string ids', async () => {
    const res = await portal(t.app, token, COMPANY_ROLES);
    expectSuccess(res);
    const roles = res.body.data.companyRoles;
    expect(roles.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { id: '0', name: 'Admin', roleLevel: 1, roleType: 1 },
      { id: '1', name: 'Senior Buyer', roleLevel: 1, roleType: 1 },
      { id: '2', name: 'Junior Buyer', roleLevel: 1, roleType: 1 },
      { id: '5', name: 'User Manager', roleLevel: 1, roleType: 2 },
      { id: '6', name: 'Group Manager', roleLevel: 1, roleType: 2 },
    ]);
    expect(roles.totalCount).toBe(5);
    expect(roles.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  it('opens the add-user dialog: extra-field configurations (none configured: an empty list)', async () => {
    const res = await portal(t.app, token, EXTRA_FIELDS);
    expectSuccess(res);
    expect(res.body.data.userExtraFields).toEqual([]);
  });

  it('checks each new e-mail (type 1) and creates 17 users with companyRoleId (addUser)', async () => {
    const roleIds = [0, 1, 2, 5];
    for (let i = 0; i < 17; i += 1) {
      const email = `portal.user${i}@greatbuys.com`;
      const check = await portal(t.app, token, USER_EMAIL_CHECK, { email, companyId: GREAT_BUYS, channelId: 1, storeHash: STORE });
      expectSuccess(check);
      expect(check.body.data.userEmailCheck).toEqual({ userType: 1, userInfo: null });

      const companyRoleId = roleIds[i % roleIds.length] as number;
      const res = await portal(t.app, token, CREATE_USER, {
        userData: { companyId: GREAT_BUYS, companyRoleId, email, firstName: 'Portal', lastName: `User${i}`, phone: '5550999', extraFields: [] },
      });
      expectSuccess(res);
      const id = res.body.data.userCreate.user.id;
      expect(typeof id).toBe('string');
      expect(id).toMatch(/^\d+$/);
      created.push({ id: Number(id), email, companyRoleId });
    }
    expect(new Set(created.map((c) => c.id)).size).toBe(17);
  });

  it('pages the list 12 at a time with offset 0 and 12, ignoring the undeclared variables it sends', async () => {
    const page1 = await portal(t.app, token, GET_USERS, { first: 12, offset: 0, search: '', companyId: GREAT_BUYS, q: '', createdBy: '', email: '' });
    const page2 = await portal(t.app, token, GET_USERS, { first: 12, offset: 12, search: '', companyId: GREAT_BUYS, q: '', createdBy: '', email: '' });
    const page3 = await portal(t.app, token, GET_USERS, { first: 12, offset: 24, search: '', companyId: GREAT_BUYS, q: '', createdBy: '', email: '' });
    for (const page of [page1, page2, page3]) expectSuccess(page);
    // 7 users in the fixture's Great Buys + 17 created
    for (const page of [page1, page2, page3]) expect(page.body.data.users.totalCount).toBe(24);
    const ids = (page: typeof page1) => page.body.data.users.edges.map((e: { node: { id: string } }) => Number(e.node.id));
    expect(ids(page1)).toHaveLength(12);
    expect(ids(page2)).toHaveLength(12);
    expect(ids(page3)).toEqual([]);
    const all = [...ids(page1), ...ids(page2)];
    // newest first (id descending), no user twice, every user once
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(new Set(all).size).toBe(24);
    expect(ids(page1).slice(0, 12)).toEqual(created.map((c) => c.id).sort((a, b) => b - a).slice(0, 12));
    expect(all).toEqual(expect.arrayContaining([123, 124, 125, 126, 128, 129, 130]));
    const first = page1.body.data.users.edges[0].node;
    const newest = created[created.length - 1];
    expect(first).toEqual({
      id: String(newest?.id),
      firstName: 'Portal',
      lastName: 'User16',
      email: 'portal.user16@greatbuys.com',
      companyRoleName: 'Admin',
      companyInfo: { companyId: String(GREAT_BUYS) },
    });
  });

  it('filters by role (companyRoleId, a number) and searches (q)', async () => {
    const custom = await portal(t.app, token, GET_USERS, { first: 12, offset: 0, companyId: GREAT_BUYS, q: '', companyRoleId: 5 });
    expectSuccess(custom);
    const expected = [people.userManager.id, ...created.filter((c) => c.companyRoleId === 5).map((c) => c.id)].sort((a, b) => b - a);
    expect(custom.body.data.users.totalCount).toBe(expected.length);
    expect(custom.body.data.users.edges.map((e: { node: { id: string; companyRoleName: string } }) => [Number(e.node.id), e.node.companyRoleName])).toEqual(
      expected.map((id) => [id, 'User Manager']),
    );

    const search = await portal(t.app, token, GET_USERS, { first: 12, offset: 0, companyId: GREAT_BUYS, q: 'USER1' });
    expectSuccess(search);
    // User1, User10..User16 by last name; none of the fixture users
    expect(search.body.data.users.totalCount).toBe(8);
  });

  it('opens one user (getUser) with the values it was created with', async () => {
    const target = created[2];
    const res = await portal(t.app, token, GET_USER, { userId: target?.id, companyId: GREAT_BUYS });
    expectSuccess(res);
    expect(res.body.data.user).toEqual({
      firstName: 'Portal',
      lastName: 'User2',
      email: 'portal.user2@greatbuys.com',
      phone: '5550999',
      companyRoleId: 2,
      companyRoleName: 'Junior Buyer',
      extraFields: [],
    });
  });

  it('checks an e-mail of every userType the store can produce (1, 2, 4, 5, 6, 7)', async () => {
    const check = async (email: string, channelId = 1) => {
      const res = await portal(t.app, token, USER_EMAIL_CHECK, { email, companyId: GREAT_BUYS, channelId, storeHash: STORE });
      expectSuccess(res);
      return res.body.data.userEmailCheck;
    };
    expect(await check('nobody.yet@example.com')).toEqual({ userType: 1, userInfo: null });
    expect(await check(people.b2cCustomer.email)).toEqual({ userType: 2, userInfo: { companyName: null } });
    // 3 ("several B2C customers") cannot occur: e-mails are unique per store
    expect(await check(people.rivalAdmin.email)).toEqual({ userType: 4, userInfo: { companyName: 'Rival Supplies' } });
    expect(await check(people.senior.email)).toEqual({ userType: 5, userInfo: { companyName: 'Great Buys' } });
    expect(await check('  P.CURIE@greatbuys.com ')).toEqual({ userType: 5, userInfo: { companyName: 'Great Buys' } });
    expect(await check(people.superAdmin.email)).toEqual({ userType: 6, userInfo: { companyName: 'Great Buys' } });
    expect(await check(people.otherChannel.email)).toEqual({ userType: 7, userInfo: { companyName: 'Great Buys' } });
    expect(await check(people.otherChannel.email, 2)).toEqual({ userType: 5, userInfo: { companyName: 'Great Buys' } });
  });

  it('after userType 7, creates with addChannel: true and gets the existing user back', async () => {
    const res = await portal(t.app, token, CREATE_USER, {
      userData: { companyId: GREAT_BUYS, companyRoleId: 2, email: people.otherChannel.email, firstName: 'Otto', lastName: 'Channel', phone: '', extraFields: [], addChannel: true },
    });
    expectSuccess(res);
    expect(res.body.data.userCreate.user).toEqual({ id: String(people.otherChannel.id) });
    const list = await portal(t.app, token, GET_USERS, { first: 1, offset: 0, companyId: GREAT_BUYS });
    expect(list.body.data.users.totalCount).toBe(24);

    const without = await portal(t.app, token, CREATE_USER, {
      userData: { companyId: GREAT_BUYS, companyRoleId: 2, email: people.otherChannel.email, firstName: 'Otto', lastName: 'Channel', phone: '', extraFields: [] },
    });
    expect(without.status).toBe(200);
    expect(without.body.data).toEqual({ userCreate: null });
    expect(without.body.errors).toEqual([
      { message: `Email already exists. ['${people.otherChannel.email}']`, locations: [{ line: 1, column: 51 }], path: ['userCreate'], extensions: { code: 422 } },
    ]);
  });

  it('older portals create and filter with `role` (a number)', async () => {
    const res = await portal(t.app, token, CREATE_USER_WITH_ROLE, {
      userData: { companyId: GREAT_BUYS, role: 1, email: 'old.portal@greatbuys.com', firstName: 'Old', lastName: 'Portal', phone: '' },
    });
    expectSuccess(res);
    const user = res.body.data.userCreate.user;
    expect(user).toMatchObject({ role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer' });
    expect(typeof user.bcId).toBe('number');
    expect(typeof user.id).toBe('string');

    const seniors = await portal(t.app, token, USERS_BY_ROLE, { companyId: GREAT_BUYS, role: 1 });
    expectSuccess(seniors);
    const nodes = seniors.body.data.users.edges.map((e: { node: unknown }) => e.node);
    expect(nodes[0]).toEqual({ id: user.id, role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer' });
    expect(nodes.every((n: { role: number }) => n.role === 1)).toBe(true);
    expect(seniors.body.data.users.totalCount).toBe(nodes.length);

    // role 2 includes custom-role users (§14 #23)
    const juniors = await portal(t.app, token, USERS_BY_ROLE, { companyId: GREAT_BUYS, role: 2 });
    const names = new Set(juniors.body.data.users.edges.map((e: { node: { companyRoleName: string } }) => e.node.companyRoleName));
    expect(names).toEqual(new Set(['Junior Buyer', 'User Manager', 'Group Manager']));
  });

  it('edits a user (updateUser) and reads the new values back', async () => {
    const target = created[3];
    const res = await portal(t.app, token, UPDATE_USER, {
      userData: { userId: target?.id, companyId: GREAT_BUYS, companyRoleId: 5, firstName: 'Portal2', lastName: 'Edited', phone: '5550888', extraFields: [] },
    });
    expectSuccess(res);
    expect(res.body.data.userUpdate.user).toEqual({ id: String(target?.id) });
    const read = await portal(t.app, token, GET_USER, { userId: target?.id, companyId: GREAT_BUYS });
    expect(read.body.data.user).toEqual({
      firstName: 'Portal2',
      lastName: 'Edited',
      email: 'portal.user3@greatbuys.com',
      phone: '5550888',
      companyRoleId: 5,
      companyRoleName: 'User Manager',
      extraFields: [],
    });
  });

  it('accepts the extras the current portal may add to userUpdate (email, addChannel, companyRoleName)', async () => {
    const target = created[4];
    const res = await portal(t.app, token, UPDATE_USER, {
      userData: { userId: target?.id, companyId: GREAT_BUYS, companyRoleId: 2, companyRoleName: 'Junior Buyer', addChannel: true, email: 'renamed.user4@greatbuys.com' },
    });
    expectSuccess(res);
    const read = await portal(t.app, token, GET_USER, { userId: target?.id, companyId: GREAT_BUYS });
    // omitted fields keep their value (§14 #24); the e-mail changes; the role comes from companyRoleId
    expect(read.body.data.user).toMatchObject({ firstName: 'Portal', lastName: 'User4', email: 'renamed.user4@greatbuys.com', companyRoleId: 2, companyRoleName: 'Junior Buyer' });

    const taken = await portal(t.app, token, UPDATE_USER, { userData: { userId: target?.id, companyId: GREAT_BUYS, email: people.senior.email } });
    expect(taken.body.errors[0]).toMatchObject({ message: `Email already exists. ['${people.senior.email}']`, extensions: { code: 422 } });
  });

  it('deletes a user (deleteUser): "Success", then the user is gone', async () => {
    const target = created[5];
    const res = await portal(t.app, token, DELETE_USER, { companyId: GREAT_BUYS, userId: target?.id });
    expectSuccess(res);
    expect(res.body.data).toEqual({ userDelete: { message: 'Success' } });

    const read = await portal(t.app, token, GET_USER, { userId: target?.id, companyId: GREAT_BUYS });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      errors: [{ message: 'User matching query does not exist.', locations: [{ line: 1, column: 50 }], path: ['user'], extensions: { code: 404 } }],
      data: { user: null },
    });
    const list = await portal(t.app, token, GET_USERS, { first: 1, offset: 0, companyId: GREAT_BUYS });
    expect(list.body.data.users.totalCount).toBe(24);
  });

  it('refuses to delete yourself and the last user of a Company, with the texts the portal knows', async () => {
    const self = await portal(t.app, token, DELETE_USER, { companyId: GREAT_BUYS, userId: people.admin.id });
    expect(self.body.errors[0]).toMatchObject({ message: 'You can not delete yourself.', extensions: { code: 422 } });
    expect(self.body.data).toEqual({ userDelete: null });

    // a Group Manager (level 3) may act on the subsidiary, whose only user is its admin
    const groupToken = await signIn(t.app, people.groupManager.email);
    const last = await portal(t.app, groupToken, DELETE_USER, { companyId: GREAT_BUYS_WEST, userId: people.westAdmin.id });
    expect(last.status).toBe(200);
    expect(last.body.errors).toEqual([
      { message: 'Company only have one user can not be deleted', locations: [{ line: 1, column: 57 }], path: ['userDelete'], extensions: { code: 422 } },
    ]);
    const still = await portal(t.app, groupToken, GET_USER, { userId: people.westAdmin.id, companyId: GREAT_BUYS_WEST });
    expectSuccess(still);
    expect(still.body.data.user.email).toBe(people.westAdmin.email);
  });
});
