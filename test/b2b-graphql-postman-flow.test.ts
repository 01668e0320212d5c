import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREAT_BUYS, PASSWORD, STORE, people, postman } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * BigCommerce's "B2B GraphQL Labs" Postman collection run by newman (observed-requests.md §2):
 * `Authorization: Bearer <token>` with one space (none on login), input objects written inline
 * with variables inside, `after` cursors, and every test asserting "status < 400 and no `errors` key".
 */
const LOG_IN = `mutation LogIn($storeHash: String!, $email: String!, $password: String!, $channelId: Int) { login(loginData: { storeHash: $storeHash, email: $email, password: $password, channelId: $channelId }) { result { token user { id bcId firstName lastName email } } } }`;
const GET_USER_COMPANY = `query GetUserCompany($userId: Int!) { userCompany(userId: $userId) { id companyName companyStatus addressLine1 addressLine2 city state zipCode country } }`;
const GET_USERS = `query GetUsers($companyId: Int!, $limit: Int, $after: String) { users(companyId: $companyId, first: $limit, after: $after) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount edges { node { id bcId firstName lastName email phone role companyRoleId companyRoleName } } } }`;
const GET_USER_ROLES = `query GetUserRoles($companyId: Int!) { companyRoles(companyId: $companyId) { edges { node { id name } } } }`;
const CHECK_USER_EMAIL = `query CheckUserEmail($email: String!) { userEmailCheck(email: $email) { userType } }`;
const CREATE_USER = `mutation CreateUser($companyId: Int!, $email: String!, $firstName: String!, $lastName: String!, $companyRoleId: Int) { userCreate(userData: { companyId: $companyId, email: $email, firstName: $firstName, lastName: $lastName, companyRoleId: $companyRoleId }) { user { id firstName lastName email role companyRoleId companyRoleName } } }`;
const UPDATE_USER = `mutation UpdateUser($companyId: Int!, $userId: Int!, $firstName: String, $lastName: String, $phone: String, $companyRoleId: Int) { userUpdate(userData: { companyId: $companyId, userId: $userId, firstName: $firstName, lastName: $lastName, phone: $phone, companyRoleId: $companyRoleId }) { user { id firstName lastName email role companyRoleId companyRoleName } } }`;
const DELETE_USER = `mutation DeleteUser($companyId: Int!, $userId: Int!) { userDelete(companyId: $companyId, userId: $userId) { message } }`;
const GET_USERS_BACKWARDS = `query ($companyId: Int!, $last: Int, $before: String) { users(companyId: $companyId, last: $last, before: $before) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount edges { cursor node { id } } } }`;

/** what every lab test asserts: `pm.response.to.not.be.error` and no `errors` key at all */
function labAssertions(res: { status: number; body: Record<string, unknown> }) {
  expect(res.status).toBeLessThan(400);
  expect(res.body).not.toHaveProperty('errors');
  expect(res.body).toHaveProperty('data');
}

describe.each(dialects)('Postman B2B GraphQL Labs on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let userId: number;
  let companyId: number;
  let juniorRoleId: number;
  let createdId: number;
  const stamp = 1764460800;

  beforeAll(async () => {
    t = await createTestApp({ dialect });
  });
  afterAll(async () => t.close());

  it('Admin Login (noauth): token string, user.id string, user.bcId number', async () => {
    const res = await postman(t.app, undefined, LOG_IN, { storeHash: STORE, email: people.admin.email, password: PASSWORD, channelId: 1 });
    labAssertions(res);
    const result = res.body.data.login.result;
    expect(typeof result.token).toBe('string');
    expect(result.user).toEqual({ id: '123', bcId: 322, firstName: 'Marie', lastName: 'Curie', email: people.admin.email });
    token = result.token;
    userId = Number.parseInt(result.user.id, 10);
  });

  it('User Company: id a string, unknown address fields null', async () => {
    const res = await postman(t.app, token, GET_USER_COMPANY, { userId });
    labAssertions(res);
    expect(res.body.data.userCompany).toEqual({
      id: String(GREAT_BUYS),
      companyName: 'Great Buys',
      companyStatus: 1,
      addressLine1: null,
      addressLine2: null,
      city: null,
      state: null,
      zipCode: null,
      country: null,
    });
    companyId = Number.parseInt(res.body.data.userCompany.id, 10);
  });

  it('Get Users: limit 5 and `after` cursors walk the whole Company once, newest first', async () => {
    const first = await postman(t.app, token, GET_USERS, { companyId, limit: 5, after: null });
    labAssertions(first);
    const users = first.body.data.users;
    expect(users.totalCount).toBeGreaterThan(0);
    expect(typeof users.edges[0].node.id).toBe('string');
    expect(users.edges[0].node).toEqual({
      id: '126',
      bcId: 325,
      firstName: 'Eve',
      lastName: 'Curie',
      email: 'e.curie@greatbuys.com',
      phone: '',
      role: 2,
      companyRoleId: 5,
      companyRoleName: 'User Manager',
    });
    expect(users.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['126', '125', '124', '123']);
    expect(users.totalCount).toBe(4);
    expect(users.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    // two at a time: after = the previous endCursor
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await postman(t.app, token, GET_USERS, { companyId, limit: 2, after });
      labAssertions(page);
      const data = page.body.data.users;
      expect(data.totalCount).toBe(4);
      expect(data.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...data.edges.map((e: { node: { id: string } }) => e.node.id));
      pages += 1;
      if (!data.pageInfo.hasNextPage) break;
      expect(typeof data.pageInfo.endCursor).toBe('string');
      after = data.pageInfo.endCursor;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['126', '125', '124', '123']);
  });

  it('pages backwards with last/before from the end of the list', async () => {
    const end = await postman(t.app, token, GET_USERS_BACKWARDS, { companyId, last: 3 });
    labAssertions(end);
    expect(end.body.data.users.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['125', '124', '123']);
    expect(end.body.data.users.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = await postman(t.app, token, GET_USERS_BACKWARDS, { companyId, last: 3, before: end.body.data.users.pageInfo.startCursor });
    labAssertions(before);
    expect(before.body.data.users.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['126']);
    expect(before.body.data.users.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('Get User Roles without paging: lists "Junior Buyer" with a string id', async () => {
    const res = await postman(t.app, token, GET_USER_ROLES, { companyId });
    labAssertions(res);
    const edges = res.body.data.companyRoles.edges as { node: { id: string; name: string } }[];
    expect(edges.length).toBeGreaterThanOrEqual(1);
    const junior = edges.find((e) => e.node.name === 'Junior Buyer');
    expect(junior?.node.id).toBe('2');
    expect(typeof junior?.node.id).toBe('string');
    juniorRoleId = Number.parseInt(junior?.node.id ?? '', 10);
  });

  it('Check Junior User Email with only `email`: userType a number in [1, 2]', async () => {
    const res = await postman(t.app, token, CHECK_USER_EMAIL, { email: `newman.junior.${stamp}@example.com` });
    labAssertions(res);
    expect(res.body.data.userEmailCheck.userType).toBe(1);
  });

  it('Create Junior User with the role id read from companyRoles', async () => {
    const res = await postman(t.app, token, CREATE_USER, {
      companyId,
      email: `newman.junior.${stamp}@example.com`,
      firstName: 'Jack',
      lastName: 'Doe',
      companyRoleId: juniorRoleId,
    });
    labAssertions(res);
    const user = res.body.data.userCreate.user;
    expect(typeof user.id).toBe('string');
    expect(user).toMatchObject({ firstName: 'Jack', lastName: 'Doe', email: `newman.junior.${stamp}@example.com`, role: 2, companyRoleId: 2, companyRoleName: 'Junior Buyer' });
    createdId = Number.parseInt(user.id, 10);

    const check = await postman(t.app, token, CHECK_USER_EMAIL, { email: `newman.junior.${stamp}@example.com` });
    expect(check.body.data.userEmailCheck.userType).toBe(5);
  });

  it('Update User (manual)', async () => {
    const res = await postman(t.app, token, UPDATE_USER, { companyId, userId: createdId, firstName: 'John', lastName: 'Doe', phone: '111-222-3333', companyRoleId: 2 });
    labAssertions(res);
    expect(res.body.data.userUpdate.user).toEqual({
      id: String(createdId),
      firstName: 'John',
      lastName: 'Doe',
      email: `newman.junior.${stamp}@example.com`,
      role: 2,
      companyRoleId: 2,
      companyRoleName: 'Junior Buyer',
    });
    const list = await postman(t.app, token, GET_USERS, { companyId, limit: 1, after: null });
    expect(list.body.data.users.edges[0].node).toMatchObject({ id: String(createdId), firstName: 'John', phone: '111-222-3333' });
  });

  it('Delete User (manual): message "Success"; the list no longer has the user', async () => {
    const res = await postman(t.app, token, DELETE_USER, { companyId, userId: createdId });
    labAssertions(res);
    expect(res.body.data.userDelete.message).toBe('Success');
    const list = await postman(t.app, token, GET_USERS, { companyId, limit: 10, after: null });
    expect(list.body.data.users.totalCount).toBe(4);
    expect(list.body.data.users.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['126', '125', '124', '123']);
  });
});
