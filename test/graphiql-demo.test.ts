import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * GraphiQL opens ready to use on a loopback Roster serving the demo world (#17 item 4): the demo
 * credentials are in its headers and its example operation runs with them. Anywhere else (a
 * request from another machine, another world) the headers stay empty. The page's configuration
 * is read back from the HTML the browser would get, and the example is sent as GraphiQL would.
 */
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const NOW = Date.UTC(2026, 5, 1);

interface PageConfig {
  endpoint: string;
  headers?: string;
  query?: string;
}

async function page(t: TestApp, url: string, remoteAddress = '127.0.0.1'): Promise<{ headers: Record<string, string>; query: string }> {
  const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' }, remoteAddress });
  expect(res.statusCode).toBe(200);
  const config = JSON.parse(/var config = (.*);\n/.exec(res.body)?.[1] ?? 'null') as PageConfig;
  return { headers: JSON.parse(config.headers ?? '{}') as Record<string, string>, query: config.query ?? '' };
}

async function run(t: TestApp, url: string, headers: Record<string, string>, query: string, operationName: string) {
  const res = await t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ query, operationName }) });
  return { status: res.statusCode, body: res.json() };
}

describe.each(dialects)('GraphiQL on the demo world, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW });
  });
  afterAll(async () => t.close());

  it('Account API: the demo token is in the headers, marked as such, and the example runs', async () => {
    const url = `/accounts/${ACCOUNT}/graphql`;
    const opened = await page(t, url);
    expect(opened.headers).toEqual({ 'X-Auth-Token': 'demo-account-token-full' });
    expect(opened.query).toContain('DEMO token of fixtures/demo.json');
    const answer = await run(t, url, opened.headers, opened.query, 'AccountUsers');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.account.users.collectionInfo.totalItems).toBe(3);
  });

  it('B2B GraphQL: a demo admin token is in the headers and both examples run', async () => {
    const opened = await page(t, '/graphql');
    expect(opened.headers.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(opened.query).toContain('DEMO storefront token of m.curie@greatbuys.com');
    const users = await run(t, '/graphql', opened.headers, opened.query, 'Users');
    expect(users.status).toBe(200);
    expect(users.body.errors).toBeUndefined();
    expect(users.body.data.users.totalCount).toBe(4);
    const signIn = await run(t, '/graphql', {}, opened.query, 'SignIn');
    expect(signIn.body.errors).toBeUndefined();
    expect(typeof signIn.body.data.login.result.token).toBe('string');
  });

  it('from another machine the headers stay empty', async () => {
    expect((await page(t, `/accounts/${ACCOUNT}/graphql`, '10.0.0.5')).headers).toEqual({ 'X-Auth-Token': '' });
    expect((await page(t, '/graphql', '10.0.0.5')).headers).toEqual({ Authorization: 'Bearer ' });
  });
});

describe.each(dialects)('GraphiQL on another world, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // the demo world with other credentials: not the demo any more
    const fixture = cloneDemo<{ accounts: { apiAccounts: { token: string }[] }[]; b2b: { stores: { companies: { users: { password?: string }[] }[] }[] } }>();
    for (const account of fixture.accounts) for (const key of account.apiAccounts) key.token = `${key.token}-private`;
    for (const company of fixture.b2b.stores[0]?.companies ?? []) for (const user of company.users) if (user.password) user.password = 'An0ther-Secret!';
    t = await createTestApp({ dialect, now: NOW, fixture });
  });
  afterAll(async () => t.close());

  it('opens with empty headers, even on loopback', async () => {
    expect((await page(t, `/accounts/${ACCOUNT}/graphql`)).headers).toEqual({ 'X-Auth-Token': '' });
    expect((await page(t, '/graphql')).headers).toEqual({ Authorization: 'Bearer ' });
  });
});
