import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHs256 } from '../../src/auth/b2b-jwt.js';
import { dialects } from '../helpers/dialects.js';
import { allSecrets, assertLogsFreeOfSecrets, capturedLogs, createLoggedTestApp, rememberIssued, type Secret, secretsIn } from '../helpers/reliability-secrets.js';
import type { TestApp } from '../helpers/test-app.js';
import { STORE } from '../helpers/b2b-graphql-client.js';

/**
 * Secrets in motion: every way a credential enters (API tokens in headers, passwords in bodies,
 * Current Customer JWTs in bodies and query strings, storefront JWTs in both header styles), on
 * success and on failure, with the production logger configuration at level trace. Afterwards no
 * secret may appear in any log line, in any answer except the one that issues a token, in the
 * emulator's request journal or events, or in the default state export. Plus code-level checks
 * that secrets are compared in constant time.
 */
const ACCOUNT_URL = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';
const STOREFRONT_SECRET = 'demo-storefront-client-secret';

describe.each(dialects)('secrets in motion on %s', (dialect) => {
  let t: TestApp;
  const answers: { what: string; res: LightMyRequestResponse; issues: string[] }[] = [];
  const record = (what: string, res: LightMyRequestResponse, ...issues: (string | undefined)[]) => {
    answers.push({ what, res, issues: issues.filter((i): i is string => typeof i === 'string') });
    return res;
  };
  /**
   * Known bug, reported to the lead: the request journal keeps a password passed as a scalar
   * GraphQL variable (`password: $p`), and the variables of a document that does not parse. Those
   * entries are left out of the journal check; their answers and log lines are still checked.
   */

  const now = () => Math.floor(Date.now() / 1000);
  const currentCustomerJwt = (customerId: number, secret = STOREFRONT_SECRET) => {
    const jwt = signHs256(
      { iss: 'bc/apps', iat: now(), exp: now() + 600, jti: `jti-${customerId}-${secret.length}`, operation: 'current_customer', store_hash: STORE, customer: { id: customerId, email: 'x', group_id: '0' } },
      secret,
    );
    rememberIssued(`Current Customer JWT for ${customerId}`, jwt);
    return jwt;
  };

  beforeAll(async () => {
    t = await createLoggedTestApp({ dialect });
    const json = { 'content-type': 'application/json' };

    // Account API: every token, good and bad, in the header
    for (const token of ['demo-account-token-full', 'demo-account-token-read', 'demo-other-account-token', 'demo-account-token-fulll', 'demo-only-secret-change-me']) {
      record(`account API with ${token}`, await t.app.inject({ method: 'POST', url: ACCOUNT_URL, headers: { ...json, 'x-auth-token': token }, payload: { query: '{ account { id users { edges { node { email } } } } }' } }));
      record(`account API GET with ${token}`, await t.app.inject({ method: 'GET', url: `${ACCOUNT_URL}?token=${token}`, headers: { 'x-auth-token': token, accept: 'application/json' } }));
    }

    // B2B sign-in with a password: right, wrong, and the password in the wrong field
    const signIn = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', headers: json, payload: { storeHash: STORE, email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1, name: 'hygiene' } });
    const token = signIn.json().data.token as string;
    rememberIssued('storefront token from a password', token);
    record('password sign-in', signIn, token);
    record('wrong password', await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', headers: json, payload: { storeHash: STORE, email: 'm.curie@greatbuys.com', password: 'Passw0rd!x', channelId: 1, name: 'hygiene' } }));
    record('password of the wrong type', await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', headers: json, payload: { storeHash: STORE, email: 'm.curie@greatbuys.com', password: ['Passw0rd!'], channelId: 1, name: 'hygiene' } }));
    record('form-encoded password', await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `storeHash=${STORE}&email=m.curie%40greatbuys.com&password=Passw0rd!&channelId=1` }));

    // GraphQL login and authorization
    const login = await t.app.inject({ method: 'POST', url: '/graphql', headers: json, payload: { query: `mutation { login(loginData: { storeHash: "${STORE}", email: "p.curie@greatbuys.com", password: "Passw0rd!" }) { result { token storefrontLoginToken } } }` } });
    const loginToken = login.json().data?.login?.result?.token as string;
    rememberIssued('storefront token from GraphQL login', loginToken);
    const storefrontLoginToken = login.json().data?.login?.result?.storefrontLoginToken as string | undefined;
    if (storefrontLoginToken) rememberIssued('storefrontLoginToken', storefrontLoginToken);
    record('GraphQL login', login, loginToken, storefrontLoginToken);
    const byVariable = await t.app.inject({ method: 'POST', url: '/graphql', headers: json, payload: { query: 'mutation($p: String!) { login(loginData: { storeHash: "f0qyczpkb2", email: "p.curie@greatbuys.com", password: $p }) { result { token } } }', variables: { p: 'Passw0rd!!' } } });
    record('GraphQL login, wrong password in a variable', byVariable);
    record('GraphQL login, the Buyer Portal way (an input-object variable)', await t.app.inject({ method: 'POST', url: '/graphql', headers: json, payload: { query: 'mutation Login($loginData: UserLoginType!) { login(loginData: $loginData) { result { storefrontLoginToken } } }', variables: { loginData: { email: 'i.joliot@greatbuys.com', password: 'Passw0rd!x', storeHash: STORE, channelId: 1 } } } }));
    const unparsable = await t.app.inject({ method: 'POST', url: '/graphql', headers: json, payload: { query: 'mutation($p: String!) { login(loginData: { password: $p ', variables: { p: 'Passw0rd!' } } });
    record('GraphQL login, variables with the password and a syntax error', unparsable);

    // Current Customer JWTs: /api/v2/login, /api/io/auth/storefront, GraphQL authorization; good and badly signed
    const good = currentCustomerJwt(323);
    const forged = currentCustomerJwt(322, 'not-the-secret');
    const v2 = await t.app.inject({ method: 'POST', url: '/api/v2/login', headers: json, payload: { bcToken: good, storeHash: STORE, channelId: 1, customerId: 323 } });
    rememberIssued('storefront token from /api/v2/login', v2.json().data?.token);
    record('/api/v2/login', v2, v2.json().data?.token);
    record('/api/v2/login forged', await t.app.inject({ method: 'POST', url: '/api/v2/login', headers: json, payload: { bcToken: forged, storeHash: STORE, channelId: 1, customerId: 322 } }));
    const sf = await t.app.inject({ method: 'GET', url: `/api/io/auth/storefront?jwtToken=${good}&channelId=1`, headers: { 'x-store-hash': STORE } });
    rememberIssued('storefront token from /api/io/auth/storefront', sf.json().data?.token);
    record('/api/io/auth/storefront', sf, sf.json().data?.token);
    record('/api/io/auth/storefront forged', await t.app.inject({ method: 'GET', url: `/api/io/auth/storefront?jwtToken=${forged}`, headers: { 'x-store-hash': STORE } }));
    const authz = await t.app.inject({ method: 'POST', url: '/graphql', headers: json, payload: { query: `mutation { authorization(authData: { bcToken: "${good}", channelId: 1 }) { result { token } } }` } });
    rememberIssued('storefront token from GraphQL authorization', authz.json().data?.authorization?.result?.token);
    record('GraphQL authorization', authz, authz.json().data?.authorization?.result?.token);
    record('GraphQL authorization forged', await t.app.inject({ method: 'POST', url: '/graphql', headers: json, payload: { query: `mutation { authorization(authData: { bcToken: "${forged}" }) { result { token } } }` } }));

    // B2B Management API v3 (/api/v3/io): store-level tokens with their hash, the legacy authToken, read-only,
    // another store's hash, tampered, in the wrong header, in the query string; reads, refusals and writes
    const MGMT = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': STORE };
    for (const [name, headers] of [
      ['X-Auth-Token', MGMT],
      ['legacy authToken', { authtoken: 'demo-legacy-b2b-authtoken' }],
      ['legacy authToken with its hash', { authtoken: 'demo-legacy-b2b-authtoken', 'x-store-hash': STORE }],
      ['read-only X-Auth-Token', { 'x-auth-token': 'demo-store-token-b2b-read-only', 'x-store-hash': STORE }],
      ['X-Auth-Token of another store\'s hash', { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'k9d2mq7x1a' }],
      ['X-Auth-Token without its hash', { 'x-auth-token': 'demo-store-token-b2b' }],
      ['a tampered X-Auth-Token', { 'x-auth-token': 'demo-store-token-b2c', 'x-store-hash': STORE }],
      ['X-Auth-Token as Bearer', { authorization: 'Bearer demo-store-token-b2b' }],
      ['legacy authToken as X-Auth-Token', { 'x-auth-token': 'demo-legacy-b2b-authtoken', 'x-store-hash': STORE }],
      ['tokens in the query', {}],
    ] as const) {
      // (an X-Auth-Token or clientSecret in the query: the last test of this block)
      const q = name === 'tokens in the query' ? '?authToken=demo-legacy-b2b-authtoken&token=demo-store-token-b2b&x-store-hash=f0qyczpkb2' : '';
      record(`Management GET with ${name}`, await t.app.inject({ method: 'GET', url: `/api/v3/io/users${q}`, headers }));
      record(`Management 404 with ${name}`, await t.app.inject({ method: 'GET', url: `/api/v3/io/companies/999999${q}`, headers }));
      record(`Management 422 with ${name}`, await t.app.inject({ method: 'POST', url: `/api/v3/io/users${q}`, headers: { ...headers, ...json }, payload: { companyId: 123456, email: 'bad' } }));
      record(`Management hierarchy 404 with ${name}`, await t.app.inject({ method: 'GET', url: `/api/v3/io/companies/999999/hierarchy${q}`, headers }));
      record(`Management 405 with ${name}`, await t.app.inject({ method: 'PATCH', url: `/api/v3/io/users${q}`, headers: { ...headers, ...json }, payload: {} }));
      record(
        `Management write with ${name}`,
        await t.app.inject({ method: 'PUT', url: `/api/v3/io/users/125${q}`, headers: { ...headers, ...json }, payload: { firstName: 'Irene', phoneNumber: '5550125' } }),
      );
    }
    // route D: a storefront token issued for a customer on the strength of the store-level credentials
    const routeD = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers/storefront', headers: { ...MGMT, ...json }, payload: { customerId: 323, channelId: 1 } });
    expect(routeD.statusCode, routeD.body).toBe(200);
    const routeDToken = (routeD.json().data?.token as string[] | undefined)?.[0];
    if (routeDToken) rememberIssued('storefront token from route D', routeDToken);
    record('route D', routeD, routeDToken);
    record('route D, legacy authToken', await t.app.inject({ method: 'POST', url: '/api/io/auth/customers/storefront', headers: { authtoken: 'demo-legacy-b2b-authtoken', ...json }, payload: { customerId: 999999 } }));
    record('route D, wrong hash', await t.app.inject({ method: 'POST', url: '/api/io/auth/customers/storefront', headers: { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'k9d2mq7x1a', ...json }, payload: { customerId: 323 } }));

    // storefront tokens in use, both header styles, valid, tampered and expired-looking
    const tampered = `${token.slice(0, -4)}AAAA`;
    for (const [name, headers] of [
      ['bearer', { authorization: `Bearer ${token}` }],
      ['bearer, two spaces', { authorization: `Bearer  ${loginToken}` }],
      ['legacy authToken', { authtoken: token }],
      ['tampered', { authorization: `Bearer ${tampered}` }],
      ['token in the query', {}],
    ] as const) {
      const q = name === 'token in the query' ? `?authToken=${token}&jwtToken=${good}` : '';
      record(`REST with ${name}`, await t.app.inject({ method: 'GET', url: `/api/v2/users${q}`, headers }));
      record(`REST 404 with ${name}`, await t.app.inject({ method: 'GET', url: `/api/v2/users/999999${q}`, headers }));
      record(`REST 422 with ${name}`, await t.app.inject({ method: 'POST', url: `/api/v2/users${q}`, headers: { ...headers, ...json }, payload: { companyId: 123456, email: 'bad' } }));
      record(`GraphQL with ${name}`, await t.app.inject({ method: 'POST', url: `/graphql${q}`, headers: { ...headers, ...json }, payload: { query: '{ users(companyId: 123456) { totalCount } }' } }));
    }
  });
  afterAll(async () => t.close());

  it('no answer carries a secret, except the token an answer issues', () => {
    for (const { what, res, issues } of answers) {
      const found = secretsIn(res.body).filter((s: Secret) => !issues.includes(s.value));
      expect(found.map((s) => s.label), what).toEqual([]);
      for (const [name, value] of Object.entries(res.headers)) {
        expect(secretsIn(String(value)).map((s) => s.label), `${what}: header ${name}`).toEqual([]);
      }
    }
    // and the flows worked, so the secrets really went through the server
    expect(answers.filter((a) => a.issues.length > 0).length).toBeGreaterThanOrEqual(5);
    expect(allSecrets().length).toBeGreaterThanOrEqual(12);
  });

  it('no log line carries a secret', () => {
    expect(capturedLogs.length).toBeGreaterThan(50);
    assertLogsFreeOfSecrets();
  });

  it('the emulator journal, events and default state export carry no secret', async () => {
    for (const url of ['/_roster/events', '/_roster/state', '/_roster/']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(secretsIn(res.body).map((s) => s.label), url).toEqual([]);
    }
    const journal = (await t.app.inject({ method: 'GET', url: '/_roster/requests' })).json().requests as { requestId: string }[];
    for (const entry of journal) {
      expect(secretsIn(JSON.stringify(entry)).map((s) => s.label), `journal entry ${JSON.stringify(entry).slice(0, 300)}`).toEqual([]);
    }
    // the journal did record the requests above
    expect((await t.app.inject({ method: 'GET', url: '/_roster/requests' })).json().requests.length).toBeGreaterThan(10);
  });

  it('the Management API\'s credential names in a query string (X-Auth-Token, clientSecret) are redacted from logs and the journal too (open bug)', async () => {
    // b2b-management-rest.md §14 #39: "X-Auth-Token, authToken and clientSecret are redacted everywhere"
    const logsFrom = capturedLogs.length;
    await t.app.inject({ method: 'DELETE', url: '/_roster/requests' });
    for (const q of [
      '?X-Auth-Token=demo-store-token-b2b&X-Store-Hash=f0qyczpkb2',
      '?x-auth-token=demo-store-token-b2b-read-only',
      '?clientSecret=demo-b2b-client-secret',
      '?client_secret=demo-b2b-read-only-client-secret',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/io/users${q}`, headers: { accept: 'application/json' } });
      expect(res.statusCode).toBe(401);
      expect(secretsIn(res.body)).toEqual([]);
    }
    // this test's own lines are checked here, then dropped, so that the other blocks' log checks keep their meaning
    const leaks = capturedLogs.splice(logsFrom).flatMap((line) => secretsIn(line).map((s) => `${s.label} in log line: ${line.slice(0, 200)}`));
    const journal = await t.app.inject({ method: 'GET', url: '/_roster/requests' });
    expect(journal.json().requests.length).toBe(4);
    for (const s of secretsIn(journal.body)) leaks.push(`${s.label} in the journal`);
    expect(leaks, leaks.join('\n')).toEqual([]);
  });
});

describe('secrets are compared in constant time (code-level)', () => {
  const source = (path: string) => readFileSync(new URL(`../../src/${path}`, import.meta.url), 'utf8');

  it('JWT signatures are checked with timingSafeEqual, never with string equality', () => {
    const jwt = source('auth/b2b-jwt.ts');
    expect(jwt).toMatch(/timingSafeEqual\(given, expected\)/);
    expect(jwt).not.toMatch(/signature\w*\s*[!=]==|[!=]==\s*\w*signature/i);
  });

  it('passwords are verified with scrypt and timingSafeEqual', () => {
    const secrets = source('shared/secrets.ts');
    expect(secrets).toMatch(/export async function verifyPassword[\s\S]*timingSafeEqual\(key, expected\)/);
    expect(secrets).toMatch(/scrypt\(/);
  });

  it('Account API tokens are never compared: they are hashed and looked up by digest', () => {
    const auth = source('auth/account-auth.ts');
    expect(auth).toMatch(/const digest = hashToken\(token\)/);
    expect(auth).toMatch(/findApiAccountByTokenHash\(database, digest\)/);
    expect(auth).not.toMatch(/token\s*[!=]==\s*(?!undefined|null)[a-z]|[a-z]\s*[!=]==\s*token\b/i);
  });

  it('B2B Management API tokens (store-level and legacy) are never compared: they are hashed and looked up by digest', () => {
    const auth = source('auth/b2b-management-auth.ts');
    expect(auth).toMatch(/const digest = hashToken\(token\)/);
    expect(auth).toMatch(/findB2bApiAccountByTokenHash\(database, digest\)/);
    expect(auth).toMatch(/findB2bLegacyTokenByHash\(database, digest\)/);
    expect(auth).not.toMatch(/token\s*[!=]==\s*(?!undefined|null)[a-z]|[a-z]\s*[!=]==\s*token\b/i);
  });

  it('the emulator admin token is compared in constant time', () => {
    expect(source('emulator/admin-access.ts')).toMatch(/timingSafeEqual\(digest\(given\), digest\(access\.token\)\)/);
  });
});
