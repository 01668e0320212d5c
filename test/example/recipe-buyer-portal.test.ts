import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
// In your project: import { startRoster, type Roster, type RosterFork } from 'roster/testing';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';
import { BuyerPortalSession, portalDocuments as documents } from './clients/buyer-portal-graphql.js';

/**
 * Recipe: the official B2B Buyer Portal's request pattern against Roster: its GraphQL transport
 * (the two-space `Authorization: Bearer  <token>`, no operationName, HTTP status ignored, 40101
 * signs out) and its User management documents with the variables it sends, undeclared ones
 * included (b2b-graphql/observed-requests.md §1). Point the portal's `VITE_B2B_URL` at `world.url`
 * and it runs unchanged. Concurrent tests, one fork each.
 */
const STORE = 'f0qyczpkb2';
const GREAT_BUYS = 123456;

interface PortalUsers {
  users: { totalCount: number; edges: { node: { id: string; firstName: string; lastName: string; email: string; companyRoleName: string; companyInfo: { companyId: string } } }[] };
}

/** GetUsers' variables exactly as the portal's user list sends them (search, createdBy and email are not declared by the document) */
const listVariables = (offset = 0) => ({ first: 12, offset, search: '', companyId: GREAT_BUYS, q: '', createdBy: '', email: '' });

describe.concurrent('the Buyer Portal\'s requests against Roster', () => {
  let roster: Roster;

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());

  async function fork({ onTestFinished }: TestContext): Promise<RosterFork> {
    const world = await roster.fork();
    onTestFinished(() => world.close());
    return world;
  }

  async function signIn(world: RosterFork, email: string): Promise<BuyerPortalSession> {
    const portal = new BuyerPortalSession(world.url);
    const login = await portal.graphqlB2B<{ login: { result: { token: string; storefrontLoginToken: string; permissions: { code: string; permissionLevel: number }[] } } }>(
      documents.login,
      { loginData: { email, password: 'Passw0rd!', storeHash: STORE, channelId: 1 } },
    );
    portal.token = login.login.result.token;
    return portal;
  }

  it('signs in with a bare `Bearer` and lists the Company the way the User management page does', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const portal = new BuyerPortalSession(world.url);
    const login = await portal.graphqlB2B<{ login: { result: { token: string; storefrontLoginToken: string; permissions: { code: string; permissionLevel: number }[] } } }>(
      documents.login,
      { loginData: { email: 'm.curie@greatbuys.com', password: 'Passw0rd!', storeHash: STORE, channelId: 1 } },
    );
    expect(login.login.result.permissions).toEqual(expect.arrayContaining(['get_users', 'create_user', 'delete_user'].map((code) => ({ code, permissionLevel: 2 }))));
    portal.token = login.login.result.token;

    const page = await portal.graphqlB2B<PortalUsers>(documents.getUsers, listVariables());
    expect(page.users.totalCount).toBe(4);
    expect(page.users.edges.map((e) => e.node)).toEqual([
      { id: '126', firstName: 'Eve', lastName: 'Curie', email: 'e.curie@greatbuys.com', companyRoleName: 'User Manager', companyInfo: { companyId: '123456' } },
      { id: '125', firstName: 'Irene', lastName: 'Joliot', email: 'i.joliot@greatbuys.com', companyRoleName: 'Junior Buyer', companyInfo: { companyId: '123456' } },
      { id: '124', firstName: 'Pierre', lastName: 'Curie', email: 'p.curie@greatbuys.com', companyRoleName: 'Senior Buyer', companyInfo: { companyId: '123456' } },
      { id: '123', firstName: 'Marie', lastName: 'Curie', email: 'm.curie@greatbuys.com', companyRoleName: 'Admin', companyInfo: { companyId: '123456' } },
    ]);
    // the role filter sends companyRoleId as a number
    const managers = await portal.graphqlB2B<PortalUsers>(documents.getUsers, { ...listVariables(), companyRoleId: 5 });
    expect(managers.users.edges.map((e) => e.node.email)).toEqual(['e.curie@greatbuys.com']);

    // what reached the server, as the journal shows it: the portal's headers, no operationName
    const [sent] = await world.requests({ api: 'b2b-graphql', operation: 'GetUsers' });
    expect(sent?.request.headers).toMatchObject({ accept: '*/*', 'content-type': 'application/json', authorization: '[redacted]' });
    expect(sent?.request.body).toEqual({ query: documents.getUsers, variables: listVariables() });
  });

  it('adds a user (email check, CreateUser, GetUser), which the Management API and REST see; then deletes it', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const portal = await signIn(world, 'm.curie@greatbuys.com');

    const check = await portal.graphqlB2B<{ userEmailCheck: { userType: number; userInfo: unknown } }>(documents.userEmailCheck, {
      email: 'dora@greatbuys.com',
      companyId: GREAT_BUYS,
      channelId: 1,
      storeHash: STORE,
    });
    expect(check.userEmailCheck).toEqual({ userType: 1, userInfo: null }); // 1: free to add

    const created = await portal.graphqlB2B<{ userCreate: { user: { id: string } } }>(documents.createUser, {
      userData: { companyId: GREAT_BUYS, companyRoleId: 5, email: 'dora@greatbuys.com', firstName: 'Portal', lastName: 'Dora', phone: '5550999', extraFields: [] },
    });
    const userId = Number(created.userCreate.user.id);

    const opened = await portal.graphqlB2B<{ user: unknown }>(documents.getUser, { userId, companyId: GREAT_BUYS });
    expect(opened.user).toEqual({ firstName: 'Portal', lastName: 'Dora', email: 'dora@greatbuys.com', phone: '5550999', companyRoleId: 5, companyRoleName: 'User Manager', extraFields: [] });
    const list = await portal.graphqlB2B<PortalUsers>(documents.getUsers, listVariables());
    expect(list.users.totalCount).toBe(5);
    expect(list.users.edges[0]?.node).toMatchObject({ id: String(userId), email: 'dora@greatbuys.com' });
    // the same e-mail is now taken in this Company (5: a user of the Company already)
    const again = await portal.graphqlB2B<{ userEmailCheck: { userType: number } }>(documents.userEmailCheck, { email: 'dora@greatbuys.com', companyId: GREAT_BUYS, channelId: 1, storeHash: STORE });
    expect(again.userEmailCheck.userType).toBe(5);

    const managementHeaders = { 'X-Auth-Token': roster.tokens['demo-b2b-read-only'] as string, 'X-Store-Hash': STORE };
    const viaManagement = await fetch(`${world.managementUrl}/users/${userId}`, { headers: managementHeaders });
    expect(((await viaManagement.json()) as { data: unknown }).data).toMatchObject({ id: userId, email: 'dora@greatbuys.com', phoneNumber: '5550999', companyRoleId: 5, companyRoleName: 'User Manager' });

    const deleted = await portal.graphqlB2B<{ userDelete: { message: string } }>(documents.deleteUser, { companyId: GREAT_BUYS, userId });
    expect(deleted.userDelete.message).toBe('Success');
    expect((await portal.graphqlB2B<PortalUsers>(documents.getUsers, listVariables())).users.totalCount).toBe(4);
    expect((await fetch(`${world.managementUrl}/users/${userId}`, { headers: managementHeaders })).status).toBe(404);
    const viaRest = await fetch(`${world.b2bUrl}/api/v2/users/${userId}`, { headers: { Authorization: `Bearer ${portal.token}` } });
    expect(viaRest.status).toBe(404);
  });

  it('a buyer the admin deletes is signed out of the portal on their next call (40101)', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const admin = await signIn(world, 'm.curie@greatbuys.com');
    const buyer = await signIn(world, 'i.joliot@greatbuys.com');
    // #4 getUserCompany: inlined, with trailing commas
    const userCompany = '{ userCompany( userId: 125 ) { companyName, companyStatus, id, } }';
    expect(await buyer.graphqlB2B(userCompany)).toEqual({ userCompany: { companyName: 'Great Buys', companyStatus: 1, id: '123456' } });

    await admin.graphqlB2B(documents.deleteUser, { companyId: GREAT_BUYS, userId: 125 });

    await expect(buyer.graphqlB2B(userCompany)).rejects.toThrow(/^signed out: /);
    expect(buyer.token).toBe('');
    expect(buyer.signedOutBecause).toBeTruthy();
    // and the password no longer signs in
    // the storefront customer stays (as on BigCommerce): the same password signs in again, without any Company permission
    const again = await new BuyerPortalSession(world.url).graphqlB2B<{ login: { result: { permissions: unknown[] } } }>(documents.login, {
      loginData: { email: 'i.joliot@greatbuys.com', password: 'Passw0rd!', storeHash: STORE, channelId: 1 },
    });
    expect(again.login.result.permissions).toEqual([]);
  });
});
