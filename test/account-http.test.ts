import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { printSchema } from 'graphql';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountSchema } from '../src/graphql/account/account-schema.js';
import { ACCOUNT_A, ACCOUNT_B, accountDemo, expectData, expectOneError, gql, TOKEN_FULL } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { encodeSegment } from './helpers/reliability-generators.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const URL_A = `/accounts/${ACCOUNT_A}/graphql`;
const JSON_HEADERS = { 'content-type': 'application/json', 'x-auth-token': TOKEN_FULL };
const QUERY = JSON.stringify({ query: '{ account { id } }' });

it('the committed schema/account.graphql is the printed schema', () => {
  const committed = readFileSync(new URL('../schema/account.graphql', import.meta.url), 'utf8');
  expect(committed.trimEnd()).toBe(printSchema(createAccountSchema()).trimEnd());
});

/** The HTTP edge (account-graphql.md §9.1, §11 #1-#4): status codes, their order, and the error bodies. */
describe.each(dialects)('Account API HTTP edge on %s', (dialect) => {
  let t: TestApp;
  const logLines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({ dialect, fixture: accountDemo(), logger: { level: 'error', stream } as never });
  });
  afterAll(async () => t.close());

  const errorBody = (code: string, message?: string) => ({
    errors: [{ message: message === undefined ? expect.any(String) : message, extensions: { code } }],
  });

  it('GET with Accept: text/html serves GraphiQL without a token, for any uuid; its assets come from npm with long cache headers', async () => {
    for (const url of [URL_A, '/accounts/not-even-a-uuid/graphql']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<div id="graphiql">');
      expect(res.body).toContain(JSON.stringify(url).slice(1, -1));
      expect(res.body).toContain('X-Auth-Token');
      expect(res.body).toContain('isHeadersEditorEnabled: true');
      expect(res.body).not.toMatch(/unpkg|jsdelivr|cdn\./i);
    }
    const page = (await t.app.inject({ method: 'GET', url: URL_A, headers: { accept: 'text/html' } })).body;
    const assets = [...page.matchAll(/(?:src|href)="(\/_assets\/graphiql\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets).toHaveLength(4);
    for (const asset of assets) {
      const res = await t.app.inject({ method: 'GET', url: asset });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(/^(application\/javascript|text\/css)/);
      expect(res.rawPayload.length).toBeGreaterThan(1000);
    }
    for (const name of ['nope.js', '__proto__', 'constructor', 'toString', '..%2Fpackage.json']) {
      expect((await t.app.inject({ method: 'GET', url: `/_assets/graphiql/${name}` })).statusCode, name).toBe(404);
    }
  });

  it('405 with Allow: POST for every other method (before the token is looked at)', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      const res = await t.app.inject({ method, url: URL_A, headers: { accept: 'application/json' } });
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.json()).toEqual(errorBody('METHOD_NOT_ALLOWED'));
    }
    const head = await t.app.inject({ method: 'HEAD', url: URL_A });
    expect(head.statusCode).toBe(405);
    expect(head.headers.allow).toBe('POST');
  });

  it('413 for a body over 1 MiB, before authentication', async () => {
    const big = JSON.stringify({ query: `{ account { id } } # ${'x'.repeat(1024 * 1024)}` });
    for (const headers of [JSON_HEADERS, { 'content-type': 'application/json' }, { 'content-type': 'text/plain' }]) {
      const res = await t.app.inject({ method: 'POST', url: URL_A, headers, payload: big });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual(errorBody('PAYLOAD_TOO_LARGE'));
    }
    // just under the limit is read
    const fits = JSON.stringify({ query: `{ account { id } } # ${'x'.repeat(1024 * 1024 - 64)}` });
    const ok = await t.app.inject({ method: 'POST', url: URL_A, headers: JSON_HEADERS, payload: fits });
    expect(ok.statusCode).toBe(200);
  });

  it('401 without a token or with an unknown one (before content type and body checks)', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, { 'content-type': 'application/json', 'x-auth-token': '' }]) {
      const res = await t.app.inject({ method: 'POST', url: URL_A, headers, payload: 'not json' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(errorBody('UNAUTHENTICATED', 'No X-Auth-Token header was sent.'));
    }
    const res = await t.app.inject({ method: 'POST', url: URL_A, headers: { ...JSON_HEADERS, 'x-auth-token': 'nope' }, payload: QUERY });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(errorBody('UNAUTHENTICATED', 'The X-Auth-Token is not valid.'));
    expect(res.headers['x-rate-limit-requests-left']).toBeUndefined();
  });

  it('403 for a token of another account or an unknown account (before content type)', async () => {
    for (const url of [`/accounts/${ACCOUNT_B}/graphql`, '/accounts/11111111-2222-4333-8444-555555555555/graphql', '/accounts/x/graphql']) {
      const res = await t.app.inject({ method: 'POST', url, headers: { ...JSON_HEADERS, 'content-type': 'text/plain' }, payload: QUERY });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(errorBody('FORBIDDEN', 'You do not have permission to do this operation.'));
    }
  });

  it('an account segment of any shape (long, undecodable, odd characters) is an unknown account: 401 without a token, 403 with one', async () => {
    const generated = fc.sample(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), { numRuns: 40, seed: 14 }).map((s) => encodeSegment(s));
    const segments = ['x'.repeat(72), 'x'.repeat(501), 'x'.repeat(5000), '%zz', '%FF', '%', 'a%00b', '%C0%AF', '%ED%A0%80', '..%2f', `${ACCOUNT_A}%zz`, `${ACCOUNT_A}x`, ...generated];
    for (const segment of segments) {
      const url = `/accounts/${segment}/graphql`;
      const anonymous = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: QUERY });
      expect(anonymous.statusCode, url).toBe(401);
      expect(anonymous.json()).toEqual(errorBody('UNAUTHENTICATED', 'No X-Auth-Token header was sent.'));
      const res = await t.app.inject({ method: 'POST', url, headers: JSON_HEADERS, payload: QUERY });
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toEqual(errorBody('FORBIDDEN', 'You do not have permission to do this operation.'));
    }
  });

  it('the account uuid in the URL is matched case-insensitively', async () => {
    const res = await t.app.inject({ method: 'POST', url: URL_A.toUpperCase().replace('/ACCOUNTS/', '/accounts/').replace('/GRAPHQL', '/graphql'), headers: JSON_HEADERS, payload: QUERY });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { account: { id: `bc/account/account/${ACCOUNT_A}` } } });
  });

  it('415 for a content type other than JSON', async () => {
    for (const type of ['text/plain', 'application/graphql', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      const res = await t.app.inject({ method: 'POST', url: URL_A, headers: { ...JSON_HEADERS, 'content-type': type }, payload: QUERY });
      expect(res.statusCode, type).toBe(415);
      expect(res.json()).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'));
    }
    const missing = await t.app.inject({ method: 'POST', url: URL_A, headers: { 'x-auth-token': TOKEN_FULL } });
    expect(missing.statusCode).toBe(415);
    const charset = await t.app.inject({ method: 'POST', url: URL_A, headers: { ...JSON_HEADERS, 'content-type': 'Application/JSON; charset=utf-8' }, payload: QUERY });
    expect(charset.statusCode).toBe(200);
  });

  it('400 for a body that is not a GraphQL request (bad JSON, batches, no query, bad variables or operationName)', async () => {
    for (const payload of [
      '',
      '{',
      'null',
      '"query"',
      '[{"query":"{ account { id } }"}]',
      '{}',
      '{"query":""}',
      '{"query":42}',
      '{"query":"{ account { id } }","variables":[1]}',
      '{"query":"{ account { id } }","variables":"{}"}',
      '{"query":"{ account { id } }","operationName":7}',
    ]) {
      const res = await t.app.inject({ method: 'POST', url: URL_A, headers: JSON_HEADERS, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json()).toEqual(errorBody('BAD_REQUEST'));
    }
    const nulls = await t.app.inject({ method: 'POST', url: URL_A, headers: JSON_HEADERS, payload: '{"query":"{ account { id } }","variables":null,"operationName":null,"extensions":{}}' });
    expect(nulls.statusCode).toBe(200);
  });

  it('§11 #3: syntax errors use the documented message, with locations and the parser detail', async () => {
    const res = await gql(t, '{ account { id }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errors: [
        {
          message: 'Syntax error while parsing GraphQL query.',
          locations: [{ line: 1, column: 17 }],
          extensions: { code: 'GRAPHQL_PARSE_FAILED', detail: 'Syntax Error: Expected Name, found <EOF>.' },
        },
      ],
    });
  });

  it('validation errors: GRAPHQL_VALIDATION_FAILED, no data', async () => {
    const res = await gql(t, '{ account { id nope } }');
    expect(res.body).toEqual({
      errors: [{ message: 'Cannot query field "nope" on type "Account".', locations: [{ line: 1, column: 16 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
    expectOneError(await gql(t, 'subscription { account { id } }'), 'GRAPHQL_VALIDATION_FAILED');
    const twoOps = await t.app.inject({ method: 'POST', url: URL_A, headers: JSON_HEADERS, payload: JSON.stringify({ query: 'query A { account { id } } query B { account { id } }' }) });
    expect(twoOps.json().errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const named = await t.app.inject({ method: 'POST', url: URL_A, headers: JSON_HEADERS, payload: JSON.stringify({ query: 'query Who { account { id } }' }) });
    expect(named.headers['x-bc-graphql-operation-type']).toBe('query');
    expect(named.headers['x-bc-graphql-operation-name']).toBe('Who');
    const picked = await t.app.inject({
      method: 'POST',
      url: URL_A,
      headers: JSON_HEADERS,
      payload: JSON.stringify({ query: 'query A { account { id } } query B { account { accountInfo { name } } }', operationName: 'B' }),
    });
    expect(picked.json()).toEqual({ data: { account: { accountInfo: { name: 'Jane Doe' } } } });
    const unknownOp = await t.app.inject({ method: 'POST', url: URL_A, headers: JSON_HEADERS, payload: JSON.stringify({ query: 'query A { account { id } }', operationName: 'C' }) });
    expect(unknownOp.json().errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('§11 #4: undeclared variables are ignored; wrong-type variables are BAD_USER_INPUT with data null', async () => {
    const ignored = await gql(t, 'query ($n: Int) { account { users(first: $n) { edges { node { id } } } } }', { n: 1, unrelated: 'x', other: [1] });
    expect(expectData(ignored).account.users.edges).toHaveLength(1);
    const wrong = await gql(t, 'query ($n: Int) { account { users(first: $n) { edges { node { id } } } } }', { n: 'ten' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.data).toBeNull();
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await gql(t, 'mutation ($e: String!) { account { addUserToAccount(input: { email: $e }) { account { id } } } }', {});
    expect(missing.body.data).toBeNull();
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('§11 #4 on a compiled document: bad variables get the words of its first runs', async () => {
    for (const [i, bad] of [{ n: 'ten' }, { n: 2 ** 40 }, { n: 2.5 }].entries()) {
      const query = `query ($n: Int) { account { users(first: $n) { edges { node { id } } } } } # ${i}`;
      const first = await gql(t, query, bad);
      expect(first.body.data).toBeNull();
      expect(first.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      for (let run = 0; run < 3; run += 1) expect(expectData(await gql(t, query, { n: 1 })).account.users.edges).toHaveLength(1);
      expect((await gql(t, query, bad)).body, JSON.stringify(bad)).toEqual(first.body);
    }
  });

  it('complexity is reported on every executed request and refused above 10,000 with the documented message', async () => {
    const ok = await gql(t, '{ account { users(first: 50) { edges { node { id } } } } }');
    expect(ok.headers['x-bc-graphql-complexity']).toBe('152'); // account + users + 50 × (edges + node + id)
    const defaulted = await gql(t, '{ account { stores { edges { node { users { edges { node { id } } } } } } } }');
    expect(defaulted.headers['x-bc-graphql-complexity']).toBe(String(2 + 10 * (3 + 10 * 3)));
    const tooMuch = await gql(t, '{ account { stores(first: 50) { edges { node { users(first: 50) { edges { node { apps(first: 10) { edges { node { id } } } } } } } } } } }');
    const score = 2 + 50 * (3 + 50 * (3 + 10 * 3));
    expect(tooMuch.headers['x-bc-graphql-complexity']).toBe(String(score));
    expect(tooMuch.body).toEqual({
      errors: [
        {
          message: `The query is too complex as it has a complexity score of ${score} out of 10000. Please remove some elements and try again`,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    // fragments count like inline selections
    const viaFragment = await gql(t, 'query { account { stores(first: 50) { ...S } } } fragment S on StoreConnection { edges { node { users(first: 50) { edges { node { id apps { edges { node { id } } } } } } } } }');
    expectOneError(viaFragment, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('depth above 15 and more than 100 aliases are refused with GRAPHQL_VALIDATION_FAILED', async () => {
    const deep = `{ __schema { types { fields { type ${'{ ofType '.repeat(12)}{ name }${' }'.repeat(12)} } } } }`;
    const res = await gql(t, deep);
    const error = expectOneError(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toContain('15');
    const aliases = `{ account { ${Array.from({ length: 101 }, (_, i) => `a${i}: id`).join(' ')} } }`;
    expect(expectOneError(await gql(t, aliases), 'GRAPHQL_VALIDATION_FAILED').message).toContain('100');
    const hundred = `{ account { ${Array.from({ length: 100 }, (_, i) => `a${i}: id`).join(' ')} } }`;
    expectData(await gql(t, hundred));
  });

  it('unexpected failures are masked as INTERNAL_SERVER_ERROR and logged with the request id', async () => {
    await t.database.kysely.schema.alterTable('apps').renameTo('apps_moved').execute();
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: URL_A,
        headers: { ...JSON_HEADERS, 'x-request-id': 'req-masking-1' },
        payload: JSON.stringify({ query: '{ account { id apps { edges { node { id } } } } }' }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        data: { account: { id: `bc/account/account/${ACCOUNT_A}`, apps: null } },
        errors: [{ message: 'Internal server error', locations: [{ line: 1, column: 16 }], path: ['account', 'apps'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
      expect(res.body).not.toMatch(/apps_moved|no such table|relation|stack/i);
      const logged = logLines.find((line) => line.includes('req-masking-1'));
      expect(logged).toBeDefined();
      expect(logged).not.toContain(TOKEN_FULL);
    } finally {
      await t.database.kysely.schema.alterTable('apps_moved').renameTo('apps').execute();
    }
  });
});
