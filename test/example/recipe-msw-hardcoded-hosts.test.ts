import { HttpResponse, http } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
// In your project: import { rosterHandlers } from 'roster/msw'; import { startRoster, ... } from 'roster/testing';
import { rosterHandlers } from '../../src/msw.js';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';
import { BuyerProvisioning } from './clients/bigcommerce-integration.js';

/**
 * Recipe: code with `https://api-b2b.bigcommerce.com` and `https://api.bigcommerce.com` hard-coded
 * (./clients/bigcommerce-integration.ts), tested unchanged. MSW intercepts its fetch calls and
 * roster/msw's handlers answer them from a Roster in this process: no socket at all
 * (`listen: false`), every request through the same code as over HTTP (journal, faults, quotas).
 *
 * MSW's handlers are global to the process, so the tests of this file run one after the other:
 * each gets its own fork, put in front with `server.use(...)` and taken away with
 * `server.resetHandlers()`. Test files still run in parallel (each has its own process and Roster).
 */
const STORE = 'f0qyczpkb2';
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const GREAT_BUYS = 123456;
const JUNIOR_BUYER = 2;
const HOOKS = 'https://hooks.my-app.example/bigcommerce';

describe('hard-coded BigCommerce hosts, answered by Roster through MSW', () => {
  let roster: Roster;
  let server: SetupServer;
  let world: RosterFork;
  let app: BuyerProvisioning;

  beforeAll(async () => {
    roster = await startRoster({ listen: false }); // no port: only MSW and this handle reach it
    server = setupServer(...rosterHandlers(roster)); // the main world, for anything outside a test
    server.listen({ onUnhandledRequest: 'error' });
  });
  afterAll(async () => {
    server.close();
    await roster.close();
  });

  beforeEach(async () => {
    world = await roster.fork();
    server.use(...rosterHandlers(world)); // this test's fork answers first
    app = new BuyerProvisioning({
      storeHash: STORE,
      storeToken: roster.tokens['demo-b2b-modify'] as string,
      accountUuid: ACCOUNT,
      accountToken: roster.tokens['demo-full'] as string,
    });
  });
  afterEach(async () => {
    server.resetHandlers(); // back to the main world's handlers only
    await world.close();
  });

  it('provisions a buyer through the Management API; the storefront REST API and B2B GraphQL list it', async () => {
    const userId = await app.provisionBuyer({ email: 'ada@greatbuys.com', firstName: 'Ada', lastName: 'Byrne', companyId: GREAT_BUYS, companyRoleId: JUNIOR_BUYER });
    expect(userId).toBeGreaterThan(0);

    const token = await app.signIn('m.curie@greatbuys.com', 'Passw0rd!');
    expect((await app.companyEmailsViaRest(token))[0]).toBe('ada@greatbuys.com');
    expect(await app.companyEmailsViaGraphql(token, GREAT_BUYS)).toEqual(['ada@greatbuys.com', 'e.curie@greatbuys.com', 'i.joliot@greatbuys.com', 'p.curie@greatbuys.com', 'm.curie@greatbuys.com']);

    // every call landed in this test's fork, recorded as if it came over the network
    expect((await world.requests()).map((r) => `${r.api} ${r.method} ${r.url.split('?')[0]} ${r.status}`)).toEqual([
      'b2b-management POST /api/v3/io/users 200',
      'b2b-rest POST /api/io/auth/customers 200',
      'b2b-rest GET /api/v2/users 200',
      'b2b-graphql POST /graphql 200',
    ]);
    const [created] = await world.events({ type: 'company.user.created' });
    expect(created?.after).toMatchObject({ email: 'ada@greatbuys.com' });
    // and none in the main world
    expect(await roster.requests()).toEqual([]);
    const main = await roster.state();
    const greatBuys = main.b2b?.stores?.[0]?.companies?.find((c) => c.id === GREAT_BUYS);
    expect(greatBuys?.users?.map((u) => u.email)).not.toContain('ada@greatbuys.com');
  });

  it('a fault rule works through MSW: a 503 from the Management API, then the integration\'s retry succeeds', async () => {
    const rule = await world.faults.add({ match: { api: 'b2b-management', operation: 'companies_users_create', nth: 1 }, effect: { status: 503 } });
    const userId = await app.provisionBuyer({ email: 'ben@greatbuys.com', firstName: 'Ben', lastName: 'Cole', companyId: GREAT_BUYS, companyRoleId: JUNIOR_BUYER });

    const calls = await world.requests({ api: 'b2b-management', operation: 'companies_users_create' });
    expect(calls.map((c) => [c.status, c.fault])).toEqual([
      [503, rule.id],
      [200, null],
    ]);
    expect(calls[0]?.response.body).toMatchObject({ code: 503 });
    // the retry made one user, not two
    const token = await app.signIn('m.curie@greatbuys.com', 'Passw0rd!');
    expect((await app.companyEmailsViaRest(token)).filter((e) => e === 'ben@greatbuys.com')).toHaveLength(1);
    expect((await world.events({ type: 'company.user.created' })).map((e) => (e.after as { id?: number } | null)?.id)).toEqual([userId]);
  });

  it('registers a webhook on api.bigcommerce.com; Roster\'s signed delivery comes back through an MSW handler', async () => {
    const received: { headers: Record<string, string>; body: string }[] = [];
    server.use(
      http.post(HOOKS, async ({ request }) => {
        received.push({ headers: Object.fromEntries(request.headers), body: await request.text() });
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const hookId = await app.subscribeToUserChanges(HOOKS);
    const userId = await app.provisionBuyer({ email: 'cara@greatbuys.com', firstName: 'Cara', lastName: 'Dunn', companyId: GREAT_BUYS, companyRoleId: JUNIOR_BUYER });

    await world.webhooks.drain();
    expect(received).toHaveLength(1);
    const [call] = received as [{ headers: Record<string, string>; body: string }];
    const payload = new Webhook(Buffer.from('demo-b2b-client-secret').toString('base64')).verify(call.body, call.headers);
    expect(payload).toMatchObject({ scope: 'store/company/user/created', data: { company_id: GREAT_BUYS, user_id: userId }, producer: `stores/${STORE}` });
    const [delivery] = await world.webhooks.deliveries({ webhookId: hookId });
    expect(delivery).toMatchObject({ state: 'succeeded', destination: HOOKS });
    expect(delivery?.attempts.map((a) => a.httpStatus)).toEqual([204]);
  });

  it('invites staff through the Account API on api.bigcommerce.com', async () => {
    await app.inviteStaff('new.colleague@example.com');
    expect(await app.staffEmails()).toContain('new.colleague@example.com');
    expect((await world.requests({ api: 'account-graphql' })).map((r) => [r.operation, r.status])).toEqual([
      ['account.addUserToAccount', 200],
      ['account.users', 200],
    ]);
    expect((await world.events({ type: 'account.user.added' })).map((e) => (e.after as { email?: string } | null)?.email)).toEqual(['new.colleague@example.com']);
  });

  it('leaves every other host and path to MSW\'s policy: with onUnhandledRequest "error" those requests fail', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(fetch('https://example.com/')).rejects.toThrow(/"error" strategy/);
      // a BigCommerce host, but an API Roster does not serve
      await expect(fetch(`https://api.bigcommerce.com/stores/${STORE}/v3/catalog/products`)).rejects.toThrow(/"error" strategy/);
      // listen: false: the URL of the handle names no server, and MSW does not let it through either
      await expect(fetch(`${roster.url}/healthz`)).rejects.toThrow(/"error" strategy/);
      const said = errors.mock.calls.map((args) => String(args[0]));
      expect(said.filter((m) => m.includes('without a matching request handler'))).toHaveLength(3);
      expect(said.join('\n')).toContain('GET https://example.com/');
      expect(said.join('\n')).toContain(`GET https://api.bigcommerce.com/stores/${STORE}/v3/catalog/products`);
    } finally {
      errors.mockRestore();
    }
    // Roster never saw them
    expect(await world.requests()).toEqual([]);
    expect(await roster.requests()).toEqual([]);
  });
});
