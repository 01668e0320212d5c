import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { digestDatabase } from '../helpers/reliability-digest.js';
import { type FuzzRequest, toInject } from '../helpers/reliability-fuzz.js';
import { checkAccountResponse } from '../helpers/reliability-requests-account.js';
import { checkB2bGraphqlResponse } from '../helpers/reliability-requests-b2b-graphql.js';
import { type B2bTokens, checkB2bRestResponse, signInDemoPeople } from '../helpers/reliability-requests-b2b-rest.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp } from '../helpers/reliability-secrets.js';
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
