// roster/msw under Jest (issue #20): the same drop-in as the Vitest recipe, from the built package.
import { setupServer } from 'msw/node';
import { rosterHandlers } from '../../dist/msw.js';
import { startRoster } from '../../dist/testing.js';

const B2B = 'https://api-b2b.bigcommerce.com';
let roster;
let world;
const server = setupServer();

beforeAll(async () => {
  roster = await startRoster({ listen: false });
  server.listen({ onUnhandledRequest: 'error' });
});
afterAll(async () => {
  server.close();
  await roster.close();
});
beforeEach(async () => {
  world = await roster.fork();
  server.use(...rosterHandlers(world));
});
afterEach(async () => {
  server.resetHandlers();
  await world.close();
});

test('a user created through the Management API on the production hostname is listed by the storefront API', async () => {
  const headers = { 'X-Auth-Token': 'demo-store-token-b2b', 'X-Store-Hash': 'f0qyczpkb2', 'Content-Type': 'application/json' };
  const created = await fetch(`${B2B}/api/v3/io/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ firstName: 'Jess', lastName: 'Test', email: 'jess@greatbuys.com', companyId: 123456, role: 2, channelIds: [1] }),
  });
  expect(created.status).toBe(200);
  const token = await world.b2bToken({ email: 'm.curie@greatbuys.com' });
  const list = await fetch(`${B2B}/api/v2/users?q=jess`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await list.json();
  expect(body.data.list.map((u) => u.email)).toEqual(['jess@greatbuys.com']);
  const journal = await world.requests({ api: 'b2b-management' });
  expect(journal.map((r) => r.status)).toEqual([200]);
});

test('a fault rule on the Management API reaches the client; the fork of the previous test left nothing behind', async () => {
  await world.faults.add({ match: { api: 'b2b-management', operation: 'companies_users_list', nth: 1 }, effect: { status: 503 } });
  const headers = { 'X-Auth-Token': 'demo-store-token-b2b', 'X-Store-Hash': 'f0qyczpkb2' };
  expect((await fetch(`${B2B}/api/v3/io/users?email=jess@greatbuys.com`, { headers })).status).toBe(503);
  const again = await (await fetch(`${B2B}/api/v3/io/users?email=jess@greatbuys.com`, { headers })).json();
  expect(again.data).toEqual([]);
});
