import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { digestDatabase } from '../helpers/reliability-digest.js';
import { type ManagementRouteClass, managementRoutes, managementUrl, routeLabel } from '../helpers/reliability-requests-b2b-management.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp, rememberFixtureSecrets, rememberIssued } from '../helpers/reliability-secrets.js';
import { cloneDemo, type TestApp } from '../helpers/test-app.js';

/**
 * Tenant isolation (OWASP API1, BOLA): a matrix over every operation that takes an id, on all three
 * APIs, with ids that belong to another account, store or Company. For each cell the answer must
 * be a refusal identical to the answer for an id that does not exist at all (no enumeration), no
 * answer may carry the other tenant's data, and no table may change.
 *
 * The world is the demo fixture plus a second B2B store (`b2bstore02`) with its own Company, user
 * and custom role, so cross-store cases exist too.
 */
const ACCOUNT_A = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const ACCOUNT_B = '0b9e5c3e-7d2f-4a51-9c4e-2f8a6b1d3e70';
const NO_ACCOUNT = '7c0ffee0-0000-4000-8000-000000000000';
const TOKEN_A = 'demo-account-token-full';
const TOKEN_B = 'demo-other-account-token';
const STORE_2 = 'b2bstore02';
/** Management API credentials of each store (the demo's for f0qyczpkb2; the second store's own) */
const MGMT_A = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'f0qyczpkb2' };
const MGMT_A_LEGACY = { authtoken: 'demo-legacy-b2b-authtoken' };
const MGMT_B = { 'x-auth-token': 'second-store-token-b2b', 'x-store-hash': STORE_2 };
const MGMT_B_LEGACY = { authtoken: 'second-store-legacy-authtoken' };

function world(): unknown {
  const w = cloneDemo<{ b2b: { stores: unknown[] }; settings: { storefrontJwtSecrets: Record<string, string> } }>();
  w.b2b.stores.push({
    storeHash: STORE_2,
    channels: [1],
    apiAccounts: [{ name: 'second-modify', token: 'second-store-token-b2b', clientId: 'second-client', clientSecret: 'second-client-secret', scopes: ['store_b2b_edition'] }],
    legacyAuthTokens: [{ name: 'second-legacy', token: 'second-store-legacy-authtoken', email: 'admin@second.example' }],
    roles: [{ id: 9, name: 'Second Store Role', permissions: [{ code: 'get_users', permissionLevel: 2 }] }],
    companies: [
      {
        id: 777001,
        name: 'Second Store Co',
        status: 1,
        users: [{ id: 700, bcId: 701, email: 'admin@second.example', firstName: 'Sec', lastName: 'Ond', phoneNumber: '8009990000', role: 0, password: 'Passw0rd!' }],
      },
    ],
  });
  return w;
}

/** Every e-mail, name and store hash that belongs to a tenant, to be sure none leaks to another. */
const TENANT_MARKERS = {
  accountA: ['jane.doe@example.com', 'john.doe@example.com', 'john.citizen@example.com', 'Plant Market', 'f0qyczpkb2', 'k9d2mq7x1a'],
  accountB: ['owner@other.example', 'Olive', 'Other Shop', 'z7y6x5w4v3', 'Other Merchant', 'bc/account/user/2001'],
  greatBuys: ['m.curie@greatbuys.com', 'p.curie@greatbuys.com', 'i.joliot@greatbuys.com', 'e.curie@greatbuys.com', 'Great Buys'],
  west: ['west.admin@greatbuys.com', 'Great Buys West', 'Wes'],
  rival: ['admin@rival.example', 'Rival Supplies', 'Rita'],
  pending: ['admin@pending.example', 'Pending Traders'],
  store2: ['admin@second.example', 'Second Store Co', 'Second Store Role'],
};

function expectNoneOf(res: LightMyRequestResponse, markers: string[], what: string): void {
  for (const m of markers) expect(res.body.includes(m), `${what}: the answer carries "${m}"`).toBe(false);
}

/** The body with the ids of the pair replaced, so two refusals can be compared. */
function normalised(res: LightMyRequestResponse, ids: string[]): string {
  let text = res.body;
  for (const id of [...ids].sort((a, b) => b.length - a.length)) text = text.split(id).join('<id>');
  return `${res.statusCode} ${text}`;
}

describe.each(dialects)('tenant isolation on %s', (dialect) => {
  let t: TestApp;
  let before: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const fixture = world();
    rememberFixtureSecrets(fixture);
    t = await createLoggedTestApp({ dialect, fixture });
    for (const [key, storeHash, email] of [
      ['marie', 'f0qyczpkb2', 'm.curie@greatbuys.com'],
      ['eve', 'f0qyczpkb2', 'e.curie@greatbuys.com'],
      ['rita', 'f0qyczpkb2', 'admin@rival.example'],
      ['second', STORE_2, 'admin@second.example'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/io/auth/customers',
        headers: { 'content-type': 'application/json' },
        payload: { storeHash, email, password: 'Passw0rd!', channelId: 1, name: 'bola' },
      });
      expect(res.statusCode, res.body).toBe(200);
      tokens[key] = res.json().data.token;
      rememberIssued(`token of ${email}`, tokens[key] as string);
    }
    before = await digestDatabase(t.database);
  });
  afterAll(async () => {
    // the whole matrix, reads and refused writes alike, changed no row
    expect(await digestDatabase(t.database)).toBe(before);
    await t.close();
  });

  // ------------------------------------------------------------------ Account GraphQL
  const accountCall = (uuid: string, token: string, query: string) =>
    t.app.inject({ method: 'POST', url: `/accounts/${uuid}/graphql`, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, payload: { query } });

  const accountDocuments = [
    '{ account { id accountInfo { name } } }',
    '{ account { users { edges { node { id email } } } } }',
    '{ account { stores { edges { node { id name users { edges { node { email } } } } } } } }',
    '{ account { apps { edges { node { id name } } } } }',
    'mutation { account { addUserToAccount(input: { email: "bola.probe@example.org" }) { account { id } } } }',
    'mutation { account { removeUserFromAccount(input: { email: "owner@other.example" }) { accountId userId } } }',
    'mutation { user { addUserToStore(input: { user: { email: "owner@other.example" }, storeId: "bc/account/store/z7y6x5w4v3" }) { storeId } } }',
    'mutation { user { removeUserFromStore(input: { storeId: "bc/account/store/z7y6x5w4v3", userId: "bc/account/user/2001" }) { storeId } } }',
  ];

  it.each(accountDocuments)('Account API: a token at another account\'s URL is refused exactly like an unknown account: %s', async (query) => {
    for (const [token, foreign, markers] of [
      [TOKEN_A, ACCOUNT_B, TENANT_MARKERS.accountB],
      [TOKEN_B, ACCOUNT_A, TENANT_MARKERS.accountA],
    ] as const) {
      const cross = await accountCall(foreign, token, query);
      const unknown = await accountCall(NO_ACCOUNT, token, query);
      expect(cross.statusCode).toBe(403);
      expect(normalised(cross, [foreign])).toBe(normalised(unknown, [NO_ACCOUNT]));
      expectNoneOf(cross, [...markers], `${token} at ${foreign}`);
    }
  });

  /** [operation template, foreign value, value that exists nowhere] inside account A's own URL. */
  const accountIdCells: [string, string, string, string][] = [
    ['users(filters: ids) with a user of account B', '{ account { users(filters: { ids: ["ID"] }) { collectionInfo { totalItems } edges { node { id email } } } } }', 'bc/account/user/2001', 'bc/account/user/999999'],
    ['users(filters: email) with a user of account B', '{ account { users(filters: { email: "ID" }) { collectionInfo { totalItems } edges { node { id } } } } }', 'owner@other.example', 'nobody.anywhere@example.org'],
    [
      'stores.users(filters: ids) with a user of account B',
      '{ account { stores { edges { node { users(filters: { ids: ["ID"] }) { collectionInfo { totalItems } edges { node { id } } } } } } } }',
      'bc/account/user/2001',
      'bc/account/user/999999',
    ],
    ['addUserToStore by id: a user of account B', 'mutation { user { addUserToStore(input: { user: { id: "ID" }, storeId: "bc/account/store/f0qyczpkb2" }) { storeId } } }', 'bc/account/user/2001', 'bc/account/user/999999'],
    ['addUserToStore: a store of account B (hash)', 'mutation { user { addUserToStore(input: { user: { id: "bc/account/user/1003" }, storeId: "ID" }) { storeId } } }', 'bc/account/store/z7y6x5w4v3', 'bc/account/store/zzzzzzzzzz'],
    ['addUserToStore: a store of account B (numeric id)', 'mutation { user { addUserToStore(input: { user: { id: "bc/account/user/1003" }, storeId: "ID" }) { storeId } } }', 'bc/account/store/2000001', 'bc/account/store/2999999'],
    ['addUserToStore by e-mail: a store of account B', 'mutation { user { addUserToStore(input: { user: { email: "john.citizen@example.com" }, storeId: "ID" }) { storeId } } }', 'bc/account/store/z7y6x5w4v3', 'bc/account/store/zzzzzzzzzz'],
    ['removeUserFromStore: a store of account B', 'mutation { user { removeUserFromStore(input: { storeId: "ID", userId: "bc/account/user/2001" }) { storeId user { email } } } }', 'bc/account/store/z7y6x5w4v3', 'bc/account/store/zzzzzzzzzz'],
    ['removeUserFromStore: a user of account B', 'mutation { user { removeUserFromStore(input: { storeId: "bc/account/store/f0qyczpkb2", userId: "ID" }) { storeId user { email } } } }', 'bc/account/user/2001', 'bc/account/user/999999'],
    ['removeUserFromAccount: a user of account B', 'mutation { account { removeUserFromAccount(input: { email: "ID" }) { accountId userId } } }', 'owner@other.example', 'nobody.anywhere@example.org'],
  ];

  it.each(accountIdCells)('Account API: %s is answered like an id that exists nowhere', async (_name, template, foreign, missing) => {
    const cross = await accountCall(ACCOUNT_A, TOKEN_A, template.replace('ID', foreign));
    const unknown = await accountCall(ACCOUNT_A, TOKEN_A, template.replace('ID', missing));
    expect(cross.statusCode).toBe(200);
    expect(normalised(cross, [foreign])).toBe(normalised(unknown, [missing]));
    expectNoneOf(cross, TENANT_MARKERS.accountB.filter((m) => m !== foreign), 'account A asking about account B');
  });

  it('Account API: account A\'s lists hold nothing of account B', async () => {
    const res = await accountCall(
      ACCOUNT_A,
      TOKEN_A,
      '{ account { users(first: 50) { collectionInfo { totalItems } edges { node { id email } } } stores(first: 50) { edges { node { storeHash users(first: 50) { edges { node { email } } } } } } apps(first: 50) { edges { node { id } } } } }',
    );
    expect(res.json().data.account.users.collectionInfo.totalItems).toBe(3);
    expectNoneOf(res, TENANT_MARKERS.accountB, 'account A lists');
  });

  // ------------------------------------------------------------------ B2B REST
  const rest = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, token: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: payload as object } : {}) });
  const validPut = { firstName: 'Bola', lastName: 'Probe', email: 'bola.probe@example.org', phoneNumber: '', role: '1' };
  const validPost = (companyId: string) => ({ companyId, firstName: 'Bola', lastName: 'Probe', email: 'bola.new@example.org', phoneNumber: '', role: '2' });

  /** Who asks, whose ids, which of their markers must not appear. Users by B2B id and by customer id. */
  const b2bCells = [
    { caller: 'marie', tenant: 'rival', users: ['200'], bcIds: ['400'], companies: ['223344'], markers: TENANT_MARKERS.rival },
    { caller: 'marie', tenant: 'pending', users: ['300'], bcIds: ['500'], companies: ['334455'], markers: TENANT_MARKERS.pending },
    { caller: 'marie', tenant: 'subsidiary (Admin is level 2)', users: ['127'], bcIds: ['326'], companies: ['123457'], markers: TENANT_MARKERS.west },
    { caller: 'marie', tenant: 'second store', users: ['700'], bcIds: ['701'], companies: ['777001'], markers: TENANT_MARKERS.store2 },
    { caller: 'eve', tenant: 'rival', users: ['200'], bcIds: ['400'], companies: ['223344'], markers: TENANT_MARKERS.rival },
    { caller: 'rita', tenant: 'Great Buys', users: ['123', '124', '125', '126'], bcIds: ['322', '323', '324', '325'], companies: ['123456'], markers: TENANT_MARKERS.greatBuys },
    { caller: 'second', tenant: 'Great Buys (other store)', users: ['123', '124'], bcIds: ['322', '323'], companies: ['123456'], markers: TENANT_MARKERS.greatBuys },
  ];
  const MISSING_USER = '999999';
  const MISSING_COMPANY = '999998';

  it.each(b2bCells)('B2B REST: $caller on ids of $tenant is answered like ids that exist nowhere', async (cell) => {
    const token = tokens[cell.caller] as string;
    const same = async (make: (id: string) => Promise<LightMyRequestResponse>, foreign: string, missing: string, label: string) => {
      const cross = await make(foreign);
      const unknown = await make(missing);
      expect(cross.statusCode, `${label} ${foreign}: ${cross.body}`).toBeGreaterThanOrEqual(400);
      expect(normalised(cross, [foreign]), label).toBe(normalised(unknown, [missing]));
      expectNoneOf(cross, cell.markers, label);
    };
    for (const id of cell.users) {
      await same((x) => rest('GET', `/api/v2/users/${x}`, token), id, MISSING_USER, 'GET /users/{id}');
      await same((x) => rest('PUT', `/api/v2/users/${x}`, token, validPut), id, MISSING_USER, 'PUT /users/{id}');
      await same((x) => rest('DELETE', `/api/v2/users/${x}`, token), id, MISSING_USER, 'DELETE /users/{id}');
      await same((x) => rest('GET', `/api/v2/customers/${x}/companies`, token), id, MISSING_USER, 'GET /customers/{id}/companies');
    }
    for (const bcId of cell.bcIds) {
      await same((x) => rest('GET', `/api/v2/users/${x}?isBcId=1`, token), bcId, MISSING_USER, 'GET /users/{bcId}?isBcId=1');
      await same((x) => rest('PUT', `/api/v2/users/${x}?isBcId=1`, token, validPut), bcId, MISSING_USER, 'PUT /users/{bcId}?isBcId=1');
      await same((x) => rest('DELETE', `/api/v2/users/${x}?isBcId=1`, token), bcId, MISSING_USER, 'DELETE /users/{bcId}?isBcId=1');
    }
    for (const companyId of cell.companies) {
      await same((x) => rest('GET', `/api/v2/companies/${x}/users`, token), companyId, MISSING_COMPANY, 'GET /companies/{id}/users');
      await same((x) => rest('POST', '/api/v2/users', token, validPost(x)), companyId, MISSING_COMPANY, 'POST /users companyId');
    }
  });

  it.each(b2bCells)('B2B REST: the lists $caller sees hold nothing of $tenant', async (cell) => {
    const token = tokens[cell.caller] as string;
    for (const url of ['/api/v2/users?limit=250', '/api/v2/users?limit=250&q=a', '/api/v2/users?limit=250&role=0']) {
      const res = await rest('GET', url, token);
      expectNoneOf(res, cell.markers, url);
    }
  });

  // ------------------------------------------------------------------ B2B GraphQL
  const gql = (token: string, query: string) =>
    t.app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: { query } });

  /** [operation, template with CID/UID/RID placeholders] */
  const gqlOperations: [string, string][] = [
    ['user', '{ user(companyId: CID, userId: UID) { id email firstName } }'],
    ['users', '{ users(companyId: CID) { totalCount edges { node { id email } } } }'],
    ['userCompany', '{ userCompany(userId: UID) { id companyName } }'],
    ['userUpdate', 'mutation { userUpdate(userData: { companyId: CID, userId: UID, firstName: "Bola" }) { user { id email } } }'],
    ['userDelete', 'mutation { userDelete(companyId: CID, userId: UID) { message } }'],
    ['userCreate', 'mutation { userCreate(userData: { companyId: CID, email: "bola.gql@example.org", firstName: "B", lastName: "P", role: 2 }) { user { id } } }'],
  ];

  it.each(b2bCells)('B2B GraphQL: $caller on ids of $tenant is answered like ids that exist nowhere', async (cell) => {
    const token = tokens[cell.caller] as string;
    for (const [name, template] of gqlOperations) {
      const companyId = cell.companies[0] as string;
      for (const userId of cell.users) {
        const fill = (cid: string, uid: string) => template.replace('CID', cid).replace('UID', uid);
        // the foreign Company with its user; where the operation names both, also the caller's own Company with the foreign user
        const own = cell.caller === 'rita' ? '223344' : cell.caller === 'second' ? '777001' : '123456';
        const pairs: [string, string, string, string][] = [[companyId, userId, MISSING_COMPANY, MISSING_USER]];
        if (template.includes('CID') && template.includes('UID')) pairs.push([own, userId, own, MISSING_USER]);
        for (const [cid, uid, missingCid, missingUid] of pairs) {
          const cross = await gql(token, fill(cid, uid));
          const unknown = await gql(token, fill(missingCid, missingUid));
          expect(cross.json(), `${name} ${cid}/${uid}`).toHaveProperty('errors');
          expect(normalised(cross, [cid, uid]), `${name} ${cid}/${uid}`).toBe(normalised(unknown, [missingCid, missingUid]));
          expectNoneOf(cross, cell.markers, `${name} ${cid}/${uid}`);
        }
      }
    }
  });

  it('B2B GraphQL: roles of another store are answered like roles that exist nowhere, and are never listed', async () => {
    const token = tokens.marie as string;
    const cross = await gql(token, '{ companyRole(roleId: 9) { id name permissions { code } } }');
    const unknown = await gql(token, '{ companyRole(roleId: 99999) { id name permissions { code } } }');
    expect(cross.json()).toHaveProperty('errors');
    expect(normalised(cross, ['9'])).toBe(normalised(unknown, ['99999']));
    const list = await gql(token, '{ companyRoles(first: 250) { totalCount edges { node { id name } } } }');
    expectNoneOf(list, TENANT_MARKERS.store2, 'companyRoles');
    const back = await gql(tokens.second as string, '{ companyRoles(first: 250) { edges { node { id name } } } }');
    expect(back.body.includes('User Manager')).toBe(false);
  });

  it('B2B: a token of one store cannot sign in or act on another store', async () => {
    // Marie's credentials against the second store, and the second store's against the first
    for (const [storeHash, email] of [
      [STORE_2, 'm.curie@greatbuys.com'],
      ['f0qyczpkb2', 'admin@second.example'],
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/io/auth/customers',
        headers: { 'content-type': 'application/json' },
        payload: { storeHash, email, password: 'Passw0rd!', channelId: 1, name: 'bola' },
      });
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/io/auth/customers',
        headers: { 'content-type': 'application/json' },
        payload: { storeHash, email: 'nobody.anywhere@example.org', password: 'Passw0rd!', channelId: 1, name: 'bola' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(unknown.body);
    }
  });

  // ------------------------------------------------------------------ B2B Management API v3
  const mgmt = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });

  /** Each store's rows as the Management API names them, and ids that exist in no store. */
  interface MgmtIds {
    userId: string;
    customerId: string;
    companyId: string;
    childCompanyId: string;
    roleId: string;
  }
  const MGMT_IDS: Record<'a' | 'b' | 'missing', MgmtIds> = {
    a: { userId: '124', customerId: '323', companyId: '123456', childCompanyId: '123457', roleId: '5' },
    b: { userId: '700', customerId: '701', companyId: '777001', childCompanyId: '777001', roleId: '9' },
    missing: { userId: '999999', customerId: '999997', companyId: '999998', childCompanyId: '999996', roleId: '99999' },
  };
  const MGMT_MARKERS = { a: [...TENANT_MARKERS.greatBuys, ...TENANT_MARKERS.west], b: TENANT_MARKERS.store2 };

  /** A body every rule of the route accepts, naming the rows of `ids` where it names rows (so only isolation can refuse it). */
  function validBody(route: ManagementRouteClass, ids: MgmtIds): unknown {
    const companyId = Number(ids.companyId);
    switch (route.operationId) {
      case 'companies_users_create':
        return { firstName: 'Bola', lastName: 'Probe', email: 'bola.mgmt@example.org', companyId, role: 2, channelIds: [1] };
      case 'companies_users_bulk_create_create':
        return [{ firstName: 'Bola', lastName: 'Probe', email: 'bola.mgmt.bulk@example.org', companyId, role: 2, channelIds: [1] }];
      case 'companies_user_update':
        return { firstName: 'Bola', lastName: 'Probe', phoneNumber: '5550123' };
      case 'put-companies-companyId':
        return { companyName: 'Bola Co', companyPhone: '5550123' };
      case 'put-companies':
        return [{ companyId, companyName: 'Bola Co' }];
      case 'put-companies-companyId-status':
        return { companyStatus: 3 };
      case 'post-companies-companyId-parents':
        return { parentCompanyId: Number(ids.childCompanyId) };
      default:
        return route.body === 'array' ? [] : {};
    }
  }

  /**
   * The ways a route can name another store's rows: through its path ids, its body, or one of two
   * path ids (the caller's own parent with the other store's child). Each as [path ids, body ids].
   */
  function namings(route: ManagementRouteClass, own: MgmtIds, other: MgmtIds): [MgmtIds, MgmtIds][] {
    const out: [MgmtIds, MgmtIds][] = [];
    if (route.params.length > 0) out.push([other, other]);
    if (route.params.length === 2) out.push([{ ...own, childCompanyId: other.childCompanyId }, own]);
    if (route.operationId === 'post-companies-companyId-parents') out.push([own, { ...own, childCompanyId: other.companyId }]);
    if (route.params.length === 0 && ['companies_users_create', 'companies_users_bulk_create_create', 'put-companies'].includes(route.operationId)) out.push([own, other]);
    return out;
  }

  it('Management API: a store\'s token on every route that names another store\'s rows is answered exactly as for rows that exist nowhere', async () => {
    const routes = (await managementRoutes(t.app)).filter((r) => r.operationId !== 'put-companies-companyId-catalog');
    const problems: string[] = [];
    let cells = 0;
    for (const [callerName, headers, own, other, markers] of [
      ['store A (X-Auth-Token)', MGMT_A, MGMT_IDS.a, MGMT_IDS.b, MGMT_MARKERS.b],
      ['store A (legacy authToken)', MGMT_A_LEGACY, MGMT_IDS.a, MGMT_IDS.b, MGMT_MARKERS.b],
      ['store B (X-Auth-Token)', MGMT_B, MGMT_IDS.b, MGMT_IDS.a, MGMT_MARKERS.a],
      ['store B (legacy authToken)', MGMT_B_LEGACY, MGMT_IDS.b, MGMT_IDS.a, MGMT_MARKERS.a],
    ] as const) {
      for (const route of routes) {
        for (const [pathIds, bodyIds] of namings(route, own, other)) {
          // the same request with every id of the other store replaced by one that exists nowhere
          const swap = (ids: MgmtIds): MgmtIds => Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, v === own[k as keyof MgmtIds] ? v : MGMT_IDS.missing[k as keyof MgmtIds]])) as unknown as MgmtIds;
          const cross = await mgmt(route.method, managementUrl(route, { ...pathIds }), headers, route.body !== undefined ? validBody(route, bodyIds) : undefined);
          const none = await mgmt(route.method, managementUrl(route, { ...swap(pathIds) }), headers, route.body !== undefined ? validBody(route, swap(bodyIds)) : undefined);
          cells += 1;
          const label = `${callerName}: ${routeLabel(route)} naming ${JSON.stringify({ path: pathIds, body: bodyIds })}`;
          const foreignIds = [...new Set([...Object.values(pathIds), ...Object.values(bodyIds)].filter((v) => !Object.values(own).includes(v)))];
          const missingIds = [...new Set([...Object.values(swap(pathIds)), ...Object.values(swap(bodyIds))].filter((v) => !Object.values(own).includes(v)))];
          if (cross.statusCode < 400) problems.push(`${label}: ${cross.statusCode} ${cross.body.slice(0, 200)}`);
          else if (normalised(cross, foreignIds) !== normalised(none, missingIds)) problems.push(`${label}: ${normalised(cross, foreignIds).slice(0, 200)} ≠ ${normalised(none, missingIds).slice(0, 200)}`);
          for (const m of markers) if (cross.body.includes(m)) problems.push(`${label}: the answer carries "${m}"`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    // every route with a path id (14) and the three that name rows in their bodies, both ways, both credential kinds
    expect(cells).toBeGreaterThanOrEqual(4 * 17);
  });

  it('Management API: every read of a store\'s own rows and lists holds nothing of the other store, whatever its filters name', async () => {
    const routes = (await managementRoutes(t.app)).filter((r) => r.method === 'GET');
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const [headers, own, foreign, markers] of [
      [MGMT_A, MGMT_IDS.a, MGMT_IDS.b, MGMT_MARKERS.b],
      [MGMT_B, MGMT_IDS.b, MGMT_IDS.a, MGMT_MARKERS.a],
    ] as const) {
      for (const route of routes) {
        const path = managementUrl(route, { ...own });
        for (const query of ['?limit=250', `?limit=250&companyId=${foreign.companyId}`, `?limit=250&customerId=${foreign.customerId}`, '?limit=250&q=e', `?limit=250&email=${encodeURIComponent(markers[0] ?? '')}`, '?limit=250&isIncludeExtraFields=1']) {
          const res = await mgmt('GET', `${path}${query}`, headers);
          expect(res.statusCode, `${path}${query}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
          expectNoneOf(res, [...markers], `${path}${query}`);
        }
      }
    }
  });

  it('Management API: no other kind of credential opens it, and a store token with another store\'s hash is an unknown token', async () => {
    const routes = (await managementRoutes(t.app)).filter((r) => r.operationId !== 'put-companies-companyId-catalog');
    const invalid = JSON.stringify({ code: 401, meta: { message: 'Invalid token.' }, data: { errMsg: 'Invalid token.' } });
    const credentials: [string, Record<string, string>][] = [
      ['a storefront JWT as Bearer', { authorization: `Bearer ${tokens.marie}` }],
      ['a storefront JWT as authToken', { authtoken: tokens.marie as string }],
      ['a storefront JWT as X-Auth-Token', { 'x-auth-token': tokens.marie as string, 'x-store-hash': 'f0qyczpkb2' }],
      ['an account API token', { 'x-auth-token': TOKEN_A, 'x-store-hash': 'f0qyczpkb2' }],
      ['an account API token of another account', { 'x-auth-token': TOKEN_B, 'x-store-hash': 'z7y6x5w4v3' }],
      ['an account API token as authToken', { authtoken: TOKEN_A }],
      ['store A\'s token with store B\'s hash', { 'x-auth-token': MGMT_A['x-auth-token'], 'x-store-hash': STORE_2 }],
      ['store B\'s token with store A\'s hash', { 'x-auth-token': MGMT_B['x-auth-token'], 'x-store-hash': 'f0qyczpkb2' }],
      ['store A\'s legacy token with store B\'s hash', { ...MGMT_A_LEGACY, 'x-store-hash': STORE_2 }],
      ['an unknown token with store A\'s hash', { 'x-auth-token': 'no-such-token-anywhere', 'x-store-hash': 'f0qyczpkb2' }],
    ];
    for (const route of routes) {
      const url = managementUrl(route, { ...MGMT_IDS.a });
      const body = route.body !== undefined ? validBody(route, MGMT_IDS.a) : undefined;
      for (const [name, headers] of credentials) {
        const res = await mgmt(route.method, url, headers, body);
        expect(`${res.statusCode} ${res.body}`, `${name}: ${routeLabel(route)}`).toBe(`401 ${invalid}`);
      }
    }
  });

  it('logged no secret while doing all of the above', () => {
    assertLogsFreeOfSecrets();
  });
});
