import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { digestDatabase } from '../helpers/reliability-digest.js';
import { type FuzzRequest, toInject } from '../helpers/reliability-fuzz.js';
import { checkAccountResponse } from '../helpers/reliability-requests-account.js';
import { checkB2bGraphqlResponse } from '../helpers/reliability-requests-b2b-graphql.js';
import { type B2bTokens, checkB2bRestResponse, signInDemoPeople } from '../helpers/reliability-requests-b2b-rest.js';
import { COMPANIES, managementFixture, mgmt, MGMT_BASE, stateDigest, USERS } from '../helpers/management-support.js';
import { checkManagementResponse, familyOf, freshEmail, INTERNAL_DETAILS } from '../helpers/reliability-requests-b2b-management.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp, rememberFixtureSecrets } from '../helpers/reliability-secrets.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * The values that once broke an API (found by the generated suites), each sent through every
 * parameter it can reach, on both engines: a LIKE pattern over SQLite's 50,000-byte limit, U+0000
 * (PostgreSQL text cannot hold it), ids of 2^31 and more (PostgreSQL int4), and paths whose
 * percent-encoding does not decode. Each answer must be below 500 and in the API's own format,
 * and nothing may be written. The random generators reach these only by luck; this list always does.
 */
const ACCOUNT_URL = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';
const LONG = '🧪'.repeat(13_000);
const NUL = 'a\u0000b';
const NUL_EMAIL = 'a\u0000b@example.org';
const BIG_IDS = ['2147483648', '9007199254740991', '999999999999999'];

function account(query: string, variables?: Record<string, unknown>): FuzzRequest {
  return {
    family: 'account',
    method: 'POST',
    url: ACCOUNT_URL,
    headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
    payload: JSON.stringify({ query, variables }),
  };
}

function cases(tokens: B2bTokens): { name: string; request: FuzzRequest; api: 'account' | 'rest' | 'graphql' }[] {
  const bearer = { authorization: `Bearer ${tokens.admin}` };
  const json = { ...bearer, 'content-type': 'application/json' };
  const rest = (name: string, method: FuzzRequest['method'], url: string, body?: unknown, headers: Record<string, string> = body === undefined ? bearer : json) => ({
    name,
    api: 'rest' as const,
    request: { family: 'rest', method, url, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) },
  });
  const gql = (name: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = json) => ({
    name,
    api: 'graphql' as const,
    request: { family: 'graphql', method: 'POST' as const, url: '/graphql', headers, payload: JSON.stringify({ query, variables }) },
  });
  const acct = (name: string, query: string, variables?: Record<string, unknown>) => ({ name, api: 'account' as const, request: account(query, variables) });
  const user = { firstName: 'A', lastName: 'B', email: 'hostile@example.org', phoneNumber: '', role: '1' };
  const signIn = (fields: Record<string, unknown>) =>
    rest('sign-in', 'POST', '/api/io/auth/customers', { storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'wrong', channelId: 1, name: 'x', ...fields }, { 'content-type': 'application/json' });

  const out = [];
  for (const [label, text] of [
    ['a 52 kB search', LONG],
    ['U+0000', NUL],
  ] as const) {
    const q = encodeURIComponent(text);
    out.push(rest(`REST users q: ${label}`, 'GET', `/api/v2/users?q=${q}`));
    out.push(rest(`REST company users q: ${label}`, 'GET', `/api/v2/companies/123456/users?q=${q}`));
    out.push(rest(`REST e-mail check: ${label}`, 'GET', `/api/v2/companies/validations/frontend/user-emails/${q}?storeHash=f0qyczpkb2&role=0`));
    out.push(rest(`REST existence: ${label}`, 'GET', `/api/v2/users/validations/existence?storeHash=f0qyczpkb2&email=${q}&extraFieldName=${q}&extraFieldValue=${q}`));
    out.push(rest(`REST create, names: ${label}`, 'POST', '/api/v2/users', { ...user, companyId: '123456', firstName: text, lastName: text, email: 'not-an-email' }));
    for (const field of ['storeHash', 'email', 'password', 'name']) out.push({ ...signIn({ [field]: text }), name: `sign-in ${field}: ${label}` });
    out.push(rest(`storefront token jwtToken: ${label}`, 'GET', `/api/io/auth/storefront?jwtToken=${q}`, undefined, { 'x-store-hash': 'f0qyczpkb2' }));
    for (const arg of ['search', 'email', 'firstName', 'lastName']) {
      out.push(gql(`GraphQL users ${arg}: ${label}`, `query($s: String) { users(companyId: 123456, ${arg}: $s) { totalCount } }`, { s: text }));
    }
    out.push(gql(`GraphQL companyRoles search: ${label}`, 'query($s: String) { companyRoles(search: $s) { totalCount } }', { s: text }));
    out.push(gql(`GraphQL userEmailCheck: ${label}`, 'query($s: String!) { userEmailCheck(email: $s) { userType } }', { s: text }));
    out.push(gql(`GraphQL customerEmailCheck: ${label}`, 'query($s: String!) { customerEmailCheck(email: $s, storeHash: $s) { userType } }', { s: text }));
    out.push(gql(`GraphQL login: ${label}`, 'mutation($s: String!) { login(loginData: { storeHash: $s, email: $s, password: $s }) { result { token } } }', { s: text }, { 'content-type': 'application/json' }));
    out.push(gql(`GraphQL userCreate: ${label}`, 'mutation($s: String!) { userCreate(userData: { companyId: 123456, email: $s, firstName: $s, lastName: $s, role: 9 }) { user { id } } }', { s: text }));
    out.push(acct(`Account users filters.email: ${label}`, 'query($s: String) { account { users(filters: { email: $s }) { edges { node { id } } } } }', { s: text }));
    out.push(acct(`Account store users filters.email: ${label}`, 'query($s: String) { account { stores { edges { node { users(filters: { email: $s }) { edges { node { id } } } } } } } }', { s: text }));
    out.push(acct(`Account cursor: ${label}`, 'query($s: String) { account { users(after: $s) { edges { node { id } } } } }', { s: text }));
    out.push(acct(`Account store id: ${label}`, 'mutation($s: ID!) { user { removeUserFromStore(input: { storeId: $s, userId: "bc/account/user/1003" }) { storeId } } }', { s: text }));
  }
  for (const [name, query] of [
    ['addUserToAccount', 'mutation($s: String!) { account { addUserToAccount(input: { email: $s }) { account { id } } } }'],
    ['removeUserFromAccount', 'mutation($s: String!) { account { removeUserFromAccount(input: { email: $s }) { userId } } }'],
    ['addUserToStore by e-mail', 'mutation($s: String!) { user { addUserToStore(input: { user: { email: $s }, storeId: "bc/account/store/f0qyczpkb2" }) { storeId } } }'],
  ] as const) {
    out.push(acct(`Account ${name}: an e-mail with U+0000`, query, { s: NUL_EMAIL }));
  }
  out.push(rest('REST create: an e-mail with U+0000', 'POST', '/api/v2/users', { ...user, companyId: '123456', email: NUL_EMAIL }));
  out.push(gql('GraphQL userCreate: an e-mail with U+0000', 'mutation($s: String!) { userCreate(userData: { companyId: 123456, email: $s, firstName: "a", lastName: "b", role: 2 }) { user { id } } }', { s: NUL_EMAIL }));

  for (const id of BIG_IDS) {
    out.push(rest(`REST GET user ${id}`, 'GET', `/api/v2/users/${id}`));
    out.push(rest(`REST GET user ${id} by bcId`, 'GET', `/api/v2/users/${id}?isBcId=1`));
    out.push(rest(`REST PUT user ${id}`, 'PUT', `/api/v2/users/${id}`, user));
    out.push(rest(`REST DELETE user ${id}`, 'DELETE', `/api/v2/users/${id}`));
    out.push(rest(`REST company ${id} users`, 'GET', `/api/v2/companies/${id}/users`));
    out.push(rest(`REST customer ${id} companies`, 'GET', `/api/v2/customers/${id}/companies`));
    out.push(rest(`REST create in company ${id}`, 'POST', '/api/v2/users', { ...user, companyId: id }));
    out.push(rest(`REST create with companyRoleId ${id}`, 'POST', '/api/v2/users', { ...user, companyId: '123456', companyRoleId: id }));
    out.push(rest(`REST e-mail check in company ${id}`, 'GET', `/api/v2/companies/validations/frontend/user-emails/x%40y.z?storeHash=f0qyczpkb2&role=0&companyId=${id}`));
    out.push(rest(`REST list role ${id}`, 'GET', `/api/v2/users?role=${id}&offset=${id}&limit=${id}`));
    out.push({ ...signIn({ channelId: Number(id) }), name: `sign-in channelId ${id}` });
    out.push(rest(`/api/v2/login customerId ${id}`, 'POST', '/api/v2/login', { bcToken: 'a.b.c', storeHash: 'f0qyczpkb2', channelId: 1, customerId: id }, { 'content-type': 'application/json' }));
    out.push(gql(`GraphQL users Decimal role and companyRoleId ${id}`, `{ users(companyId: 123456, role: ${id}, companyRoleId: ${id}) { totalCount } }`));
    out.push(gql(`GraphQL users offset ${id} as a variable`, 'query($o: Int) { users(companyId: 123456, offset: $o) { totalCount } }', { o: Number(id) }));
    out.push(acct(`Account filters.ids user ${id}`, `{ account { users(filters: { ids: ["bc/account/user/${id}"] }) { edges { node { id } } } } }`));
    out.push(acct(`Account addUserToStore store ${id}`, `mutation { user { addUserToStore(input: { user: { id: "bc/account/user/${id}" }, storeId: "bc/account/store/${id}" }) { storeId } } }`));
    out.push(acct(`Account removeUserFromStore user ${id}`, `mutation { user { removeUserFromStore(input: { storeId: "bc/account/store/f0qyczpkb2", userId: "bc/account/user/${id}" }) { storeId } } }`));
  }
  for (const raw of ['%FF', '%zz', '%', '%C0%AF', '%ED%A0%80']) {
    out.push(rest(`REST path ${raw}`, 'GET', `/api/v2/users/12${raw}`));
    out.push(rest(`REST auth path ${raw}`, 'POST', `/api/io/auth/customers${raw}`, {}, { 'content-type': 'application/json' }));
  }
  return out;
}

describe.each(dialects)('values that once broke an API, on %s', (dialect) => {
  let t: TestApp;
  let tokens: B2bTokens;
  let before: string;
  beforeAll(async () => {
    t = await createLoggedTestApp({ dialect });
    tokens = await signInDemoPeople(t.app);
    before = await digestDatabase(t.database);
  });
  afterAll(async () => t.close());

  it('are refused or served in each API\'s own format, never with a 5xx, writing nothing', async () => {
    const list = cases(tokens);
    expect(list.length).toBeGreaterThan(100);
    for (const c of list) {
      const res = await t.app.inject(toInject(c.request));
      const check = c.api === 'account' ? checkAccountResponse : c.api === 'rest' ? checkB2bRestResponse : checkB2bGraphqlResponse;
      try {
        check(c.request, res);
      } catch (error) {
        throw new Error(`${c.name}: ${(error as Error).message}\n${res.statusCode} ${res.body.slice(0, 300)}`);
      }
    }
    expect(await digestDatabase(t.database)).toBe(before);
  });

  it('logged no secret while doing so', () => {
    assertLogsFreeOfSecrets();
  });
});

// ------------------------------------------------------------------------------------------------
// The B2B Management API v3 (/api/v3/io): the same values through every query parameter, path id
// and body field of its routes. A write that is accepted must store the value as sent (it reads
// back the same); a refused one writes nothing; no answer is a 5xx on either engine.

interface MgmtCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** for an accepted write: where the value must read back, and what it must read as */
  readBack?: { path: (data: Record<string, unknown>) => string; key: string; expected: unknown; extra?: boolean };
}

function managementCases(): MgmtCase[] {
  const out: MgmtCase[] = [];
  const user = () => ({ firstName: 'Hostile', lastName: 'Values', email: freshEmail('hostile.user'), phoneNumber: '', companyId: COMPANIES.greatBuys.id, role: 2, channelIds: [1] });
  const company = () => ({
    companyName: 'Hostile Co',
    companyEmail: 'hostile.co@example.org',
    companyPhone: '5550100',
    country: 'US',
    adminFirstName: 'Hos',
    adminLastName: 'Tile',
    adminEmail: freshEmail('hostile.admin'),
  });
  const newUser = (data: Record<string, unknown>) => `/users/${String(data.userId)}`;
  const newCompany = (data: Record<string, unknown>) => `/companies/${String(data.companyId)}`;
  const userWire: Record<string, string> = { firstName: 'firstName', lastName: 'lastName', email: 'email', phoneNumber: 'phoneNumber', uuid: 'uuid' };
  const companyText = ['companyName', 'companyEmail', 'companyPhone', 'addressLine1', 'addressLine2', 'city', 'state', 'country', 'zipCode', 'uuid'];
  for (const [label, text] of [
    ['a 52 kB value', LONG],
    ['U+0000', NUL],
  ] as const) {
    const q = encodeURIComponent(text);
    for (const [path, params] of [
      ['/users', ['q', 'email', 'companyId', 'roles', 'channelId', 'minModified', 'isIncludeExtraFields', 'limit', 'offset']],
      ['/companies', ['q', 'extraFields', 'sortBy', 'orderBy', 'companyStatus', 'bcGroupId', 'customerId', 'bcOrderId', 'extraFieldFilterType', 'minCreated']],
      ['/companies/roles', ['q', 'limit']],
      ['/companies/permissions', ['q']],
      ['/users/extra-fields', ['offset']],
      ['/companies/extra-fields', ['limit']],
      [`/companies/${COMPANIES.greatBuys.id}/subsidiaries`, ['limit', 'offset']],
      [`/companies/${COMPANIES.greatBuys.id}/hierarchy`, ['offset']],
    ] as const) {
      for (const param of params) out.push({ name: `GET ${path}?${param}: ${label}`, method: 'GET', path: `${path}?${param}=${q}` });
    }
    out.push({ name: `GET /companies?extraFields=name:value: ${label}`, method: 'GET', path: `/companies?extraFields=${q}:${q}&extraFieldFilterType=exact-match` });
    for (const path of ['/users/ID', '/users/customer/ID', '/companies/ID', '/companies/roles/ID', '/companies/ID/subsidiaries', '/companies/ID/hierarchy']) {
      out.push({ name: `GET ${path}: ${label}`, method: 'GET', path: path.replace('ID', q) });
    }
    out.push({ name: `DELETE /users/{id}: ${label}`, method: 'DELETE', path: `/users/${q}` });
    out.push({ name: `DELETE /companies/{id}/subsidiaries/{child}: ${label}`, method: 'DELETE', path: `/companies/${COMPANIES.greatBuys.id}/subsidiaries/${q}` });
    for (const field of Object.keys(userWire)) {
      const readBack = { key: userWire[field] as string, expected: text };
      out.push({ name: `POST /users ${field}: ${label}`, method: 'POST', path: '/users', body: { ...user(), [field]: text }, readBack: { ...readBack, path: newUser } });
      out.push({ name: `PUT /users/{id} ${field}: ${label}`, method: 'PUT', path: `/users/${USERS.junior.id}`, body: { [field]: text }, readBack: { ...readBack, path: () => `/users/${USERS.junior.id}` } });
    }
    for (const sub of ['fieldName', 'fieldValue']) {
      const item = { fieldName: 'Hostile', fieldValue: 'value', [sub]: text };
      out.push({ name: `POST /users extraFields[0].${sub}: ${label}`, method: 'POST', path: '/users', body: { ...user(), extraFields: [item] }, readBack: { path: newUser, key: 'extraFields', expected: [item] } });
      out.push({ name: `POST /companies extraFields[0].${sub}: ${label}`, method: 'POST', path: '/companies', body: { ...company(), extraFields: [item] } });
      out.push({ name: `POST /companies userExtraFields[0].${sub}: ${label}`, method: 'POST', path: '/companies', body: { ...company(), userExtraFields: [item] } });
      out.push({ name: `PUT /companies/{id} extraFields[0].${sub}: ${label}`, method: 'PUT', path: `/companies/${COMPANIES.rival.id}`, body: { extraFields: [item] } });
    }
    for (const field of [...companyText, 'adminFirstName', 'adminLastName', 'adminEmail', 'adminPhoneNumber']) {
      const readBack = companyText.includes(field) ? { path: newCompany, key: field, expected: text } : undefined;
      out.push({ name: `POST /companies ${field}: ${label}`, method: 'POST', path: '/companies', body: { ...company(), [field]: text }, ...(readBack ? { readBack } : {}) });
    }
    // bulk items share the single endpoints' rules: a Company field and an administrator field each
    for (const field of ['companyName', 'adminFirstName']) {
      out.push({ name: `POST /companies/bulk [0].${field}: ${label}`, method: 'POST', path: '/companies/bulk', body: [{ ...company(), [field]: text }] });
    }
    for (const field of companyText) {
      out.push({
        name: `PUT /companies/{id} ${field}: ${label}`,
        method: 'PUT',
        path: `/companies/${COMPANIES.rival.id}`,
        body: { [field]: text },
        readBack: { path: () => `/companies/${COMPANIES.rival.id}`, key: field, expected: text },
      });
    }
    for (const field of ['companyName', 'city']) {
      out.push({ name: `PUT /companies/bulk [0].${field}: ${label}`, method: 'PUT', path: '/companies/bulk', body: [{ companyId: COMPANIES.pending.id, [field]: text }] });
    }
  }

  for (const id of BIG_IDS) {
    for (const [path, params] of [
      ['/users', ['companyId', 'channelId', 'minModified', 'maxModified', 'minCreated', 'maxCreated', 'roles', 'limit', 'offset']],
      ['/companies', ['bcGroupId', 'customerId', 'bcOrderId', 'orderId', 'companyStatus', 'minModified', 'maxCreated', 'limit', 'offset']],
      ['/companies/roles', ['limit', 'offset']],
    ] as const) {
      for (const param of params) out.push({ name: `GET ${path}?${param}=${id}`, method: 'GET', path: `${path}?${param}=${id}` });
    }
    for (const path of ['/users/ID', '/users/customer/ID', '/companies/ID', '/companies/roles/ID', '/companies/ID/subsidiaries', '/companies/ID/hierarchy']) {
      out.push({ name: `GET ${path.replace('ID', id)}`, method: 'GET', path: path.replace('ID', id) });
    }
    out.push({ name: `PUT /users/${id}`, method: 'PUT', path: `/users/${id}`, body: { firstName: 'Big' } });
    out.push({ name: `DELETE /users/${id}`, method: 'DELETE', path: `/users/${id}` });
    out.push({ name: `PUT /companies/${id}`, method: 'PUT', path: `/companies/${id}`, body: { companyPhone: '5550000' } });
    out.push({ name: `DELETE /companies/${id}`, method: 'DELETE', path: `/companies/${id}` });
    out.push({ name: `PUT /companies/${id}/status`, method: 'PUT', path: `/companies/${id}/status`, body: { companyStatus: 1 } });
    out.push({ name: `POST /companies/${id}/parent`, method: 'POST', path: `/companies/${id}/parent`, body: { parentCompanyId: COMPANIES.rival.id } });
    out.push({ name: `DELETE /companies/${id}/subsidiaries/${id}`, method: 'DELETE', path: `/companies/${id}/subsidiaries/${id}` });
    out.push({ name: `DELETE /companies/{id}/subsidiaries/${id}`, method: 'DELETE', path: `/companies/${COMPANIES.greatBuys.id}/subsidiaries/${id}` });
    for (const value of [Number(id), id]) {
      const kind = typeof value === 'number' ? 'a number' : 'a string';
      for (const field of ['companyId', 'companyRoleId', 'originChannelId']) out.push({ name: `POST /users ${field} ${id} as ${kind}`, method: 'POST', path: '/users', body: { ...user(), [field]: value } });
      out.push({ name: `POST /users channelIds [${id}] as ${kind}`, method: 'POST', path: '/users', body: { ...user(), channelIds: [value] } });
      out.push({ name: `PUT /users/{id} companyRoleId ${id} as ${kind}`, method: 'PUT', path: `/users/${USERS.junior.id}`, body: { companyRoleId: value } });
      out.push({ name: `PUT /users/{id} channelIds [${id}] as ${kind}`, method: 'PUT', path: `/users/${USERS.junior.id}`, body: { channelIds: [value] } });
      out.push({
        name: `POST /companies customerGroupId ${id} as ${kind}`,
        method: 'POST',
        path: '/companies',
        body: { ...company(), customerGroupId: value },
        readBack: { path: newCompany, key: 'bcGroupId', expected: String(id) },
      });
      out.push({ name: `POST /companies originChannelId ${id} as ${kind}`, method: 'POST', path: '/companies', body: { ...company(), originChannelId: value } });
      out.push({ name: `POST /companies channelIds [${id}] as ${kind}`, method: 'POST', path: '/companies', body: { ...company(), channelIds: [value] } });
      out.push({ name: `POST /companies/bulk [0].customerGroupId ${id} as ${kind}`, method: 'POST', path: '/companies/bulk', body: [{ ...company(), customerGroupId: value }] });
      out.push({
        name: `PUT /companies/{id} customerGroupId ${id} as ${kind}`,
        method: 'PUT',
        path: `/companies/${COMPANIES.rival.id}`,
        body: { customerGroupId: value },
        readBack: { path: () => `/companies/${COMPANIES.rival.id}`, key: 'bcGroupId', expected: String(id) },
      });
      out.push({ name: `PUT /companies/bulk companyId ${id} as ${kind}`, method: 'PUT', path: '/companies/bulk', body: [{ companyId: value, companyPhone: '5550000' }] });
      out.push({ name: `PUT /companies/bulk [0].customerGroupId ${id} as ${kind}`, method: 'PUT', path: '/companies/bulk', body: [{ companyId: COMPANIES.pending.id, customerGroupId: value }] });
      out.push({ name: `PUT /companies/{id}/status companyStatus ${id} as ${kind}`, method: 'PUT', path: `/companies/${COMPANIES.rival.id}/status`, body: { companyStatus: value } });
      out.push({ name: `POST /companies/{id}/parent parentCompanyId ${id} as ${kind}`, method: 'POST', path: `/companies/${COMPANIES.rival.id}/parent`, body: { parentCompanyId: value } });
    }
  }
  for (const raw of ['%FF', '%zz', '%', '%C0%AF', '%ED%A0%80']) {
    out.push({ name: `GET /users/12${raw}`, method: 'GET', path: `/users/12${raw}` });
    out.push({ name: `PUT /companies/12${raw}`, method: 'PUT', path: `/companies/12${raw}`, body: {} });
    out.push({ name: `GET /users?q=${raw}`, method: 'GET', path: `/users?q=${raw}` });
  }
  return out;
}

describe.each(dialects)('values that once broke an API, through the Management API, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    const fixture = managementFixture();
    rememberFixtureSecrets(fixture);
    t = await createLoggedTestApp({ dialect, fixture });
  });
  afterAll(async () => t.close());

  it('are refused (writing nothing) or stored as sent, never with a 5xx, in the API\'s own format', { timeout: 120_000 }, async () => {
    const list = managementCases();
    expect(list.length).toBeGreaterThan(300);
    const failures: string[] = [];
    // per request, the rows a Management write touches (stateDigest); every table once the refusals are done (below)
    let before = await stateDigest(t);
    for (const c of list) {
      const res = await t.app.inject({
        method: c.method,
        url: `${MGMT_BASE}${c.path}`,
        headers: { 'x-auth-token': 'mgmt-token-modify', 'x-store-hash': 'f0qyczpkb2', ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(c.body !== undefined ? { payload: JSON.stringify(c.body) } : {}),
      });
      const request: FuzzRequest = { family: familyOf('hostile'), method: c.method, url: `${MGMT_BASE}${c.path}`, headers: {} };
      try {
        checkManagementResponse(request, res);
        if (c.method === 'GET') continue;
        const after = await stateDigest(t);
        const accepted = res.statusCode < 300;
        if (!accepted && after !== before) throw new Error(`refused with ${res.statusCode}, yet the database changed`);
        if (accepted && c.readBack) {
          const data = res.json().data as Record<string, unknown>;
          const back = await mgmt(t, 'GET', c.readBack.path(data));
          const value = (back.body?.data as Record<string, unknown> | undefined)?.[c.readBack.key];
          if (JSON.stringify(value) !== JSON.stringify(c.readBack.expected)) throw new Error(`accepted, but ${c.readBack.key} reads back as ${JSON.stringify(value)?.slice(0, 120)}`);
        }
        before = after;
      } catch (error) {
        failures.push(`${c.name}: ${(error as Error).message}\n    ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    // and the reads wrote nothing either
    expect(await stateDigest(t)).toBe(before);
  });

  it('an error answer echoes a bounded part of a client value, however long the value', async () => {
    const huge = 'x'.repeat(900_000);
    const company = () => ({ companyName: 'Echo Co', companyEmail: 'echo.co@example.org', companyPhone: '5550100', country: 'US', adminFirstName: 'E', adminLastName: 'Cho', adminEmail: freshEmail('echo') });
    const cases: [string, 'POST' | 'PUT', string, unknown][] = [
      ['POST /companies channelIds: a string', 'POST', '/companies', { ...company(), channelIds: huge }],
      ['POST /companies channelIds[0]', 'POST', '/companies', { ...company(), channelIds: [huge] }],
      ['POST /companies/bulk [0].channelIds[0]', 'POST', '/companies/bulk', [{ ...company(), channelIds: [huge] }]],
      ['POST /users channelIds[0]', 'POST', '/users', { firstName: 'E', lastName: 'Cho', email: freshEmail('echo'), companyId: COMPANIES.greatBuys.id, role: 1, channelIds: [huge] }],
      ['POST /users role', 'POST', '/users', { firstName: 'E', lastName: 'Cho', email: freshEmail('echo'), companyId: COMPANIES.greatBuys.id, role: huge, channelIds: [1] }],
      ['POST /users extraFields[0] (name of an invalid value)', 'POST', '/users', { firstName: 'E', lastName: 'Cho', email: freshEmail('echo'), companyId: COMPANIES.greatBuys.id, role: 1, channelIds: [1], extraFields: [{ fieldName: huge, fieldValue: 'v'.repeat(151) }] }],
      ['PUT /users/{id} role', 'PUT', `/users/${USERS.junior.id}`, { role: huge }],
      ['PUT /companies/{id} extraFields[0] (name of an invalid value)', 'PUT', `/companies/${COMPANIES.rival.id}`, { extraFields: [{ fieldName: huge, fieldValue: 'v'.repeat(151) }] }],
      ['PUT /companies/{id}/status', 'PUT', `/companies/${COMPANIES.rival.id}/status`, { companyStatus: huge }],
      ['POST /companies/{id}/parent', 'POST', `/companies/${COMPANIES.rival.id}/parent`, { parentCompanyId: huge }],
    ];
    const before = await digestDatabase(t.database);
    const long: string[] = [];
    for (const [name, method, path, body] of cases) {
      const res = await mgmt(t, method, path, { body });
      expect(res.status, `${name}: ${res.raw.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(res.raw, name).not.toMatch(INTERNAL_DETAILS);
      // the storefront APIs echo at most MAX_ECHO_LENGTH characters of a value (shared/describe-value.ts)
      if (res.raw.length > 2_000) long.push(`${name}: a ${res.raw.length}-character answer: ${res.raw.slice(0, 120)}…`);
    }
    expect(long, long.join('\n')).toEqual([]);
    expect(await digestDatabase(t.database)).toBe(before);
  });

  it('logged no secret while doing so', () => {
    assertLogsFreeOfSecrets();
  });
});
