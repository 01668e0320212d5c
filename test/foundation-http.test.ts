import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('HTTP edge shared by every API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect: 'sqlite' });
  });
  afterAll(async () => t.close());

  it('answers an undecodable URL with a 400 in the error format of the API it belongs to', async () => {
    const account = await t.app.inject({ method: 'POST', url: '/accounts/61db983a/graph%FFql', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(account.statusCode).toBe(400);
    expect(account.json()).toEqual({ errors: [{ message: 'Malformed URL', extensions: { code: 'BAD_REQUEST' } }] });
    // the account segment itself is an account id of any shape: the API's own order of checks (401, then 403)
    const segment = await t.app.inject({ method: 'POST', url: '/accounts/61db983a%FF/graphql', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(segment.statusCode).toBe(401);
    expect(segment.json()).toEqual({ errors: [{ message: 'No X-Auth-Token header was sent.', extensions: { code: 'UNAUTHENTICATED' } }] });

    const rest = await t.app.inject({ method: 'GET', url: '/api/v2/users/%zz' });
    expect(rest.statusCode).toBe(400);
    expect(rest.json()).toMatchObject({ code: 400 });

    const other = await t.app.inject({ method: 'GET', url: '/nowhere/%' });
    expect(other.statusCode).toBe(400);
    expect(other.json()).toEqual({ code: 400, message: 'Malformed URL', data: { errMsg: 'Malformed URL' } });
  });

  it('answers a path no route serves with a 404 in the error format of the API the path belongs to', async () => {
    const account = await t.app.inject({ method: 'POST', url: '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql/extra' });
    expect(account.statusCode).toBe(404);
    expect(account.json()).toEqual({ errors: [{ message: 'No route for POST /accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql/extra', extensions: { code: 'NOT_FOUND' } }] });
    const io = await t.app.inject({ method: 'GET', url: '/api/io/auth/nowhere?jwtToken=secret' });
    expect(io.statusCode).toBe(404);
    expect(io.json()).toEqual({ code: 404, data: { errMsg: 'Not Found' }, meta: { message: 'Not Found' } });
    const other = await t.app.inject({ method: 'GET', url: '/nowhere' });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ code: 404, message: 'No route for GET /nowhere', data: { errMsg: 'No route for GET /nowhere' } });
  });

  it('cuts off clients that never finish their request, and closes idle connections on shutdown', () => {
    expect((t.app.initialConfig as Record<string, unknown>).requestTimeout).toBeGreaterThan(0);
    expect(t.app.initialConfig.connectionTimeout).toBeGreaterThan(0);
    expect((t.app.initialConfig as Record<string, unknown>).forceCloseConnections).toBe('idle');
  });
});
