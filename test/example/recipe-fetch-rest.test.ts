import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
// In your project: import { startRoster, type Roster, type RosterFork } from 'roster/testing';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';

/**
 * Recipe: plain `fetch` against the B2B storefront REST API, the way storefront scripts and
 * server-side code call it: sign in (`POST /api/io/auth/customers`), create a user
 * (`POST /api/v2/users`), then read the same user through B2B GraphQL and through the
 * server-to-server Management API, and the other way round. Every test runs concurrently in its own
 * fork; two of them write the same e-mail at the same time and each sees only its own.
 */
const STORE = 'f0qyczpkb2';
const GREAT_BUYS = 123456;

interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

/** the storefront REST API with a bearer token: status and parsed body */
async function rest<T>(world: RosterFork, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Envelope<T> }> {
  const response = await fetch(`${world.b2bUrl}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Envelope<T> };
}

async function graphql<T>(world: RosterFork, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(world.b2bGraphqlUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function management<T>(world: RosterFork, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const response = await fetch(`${world.managementUrl}${path}`, {
    method,
    headers: { 'X-Auth-Token': token, 'X-Store-Hash': STORE, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, data: ((await response.json()) as { data: T }).data };
}

async function signIn(world: RosterFork, email: string): Promise<string> {
  const res = await rest<{ token: string }>(world, 'POST', '/api/io/auth/customers', undefined, { storeHash: STORE, email, password: 'Passw0rd!', channelId: 1, name: 'recipe' });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token;
}

/** resolves once `parties` callers are waiting in it: proof that they run at the same time (a sequential run would never get there) */
function rendezvous(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return Promise.race([
      opened,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error('the other test never ran beside this one: is the suite still concurrent?')), 10_000).unref()),
    ]);
  };
}

describe.concurrent('plain fetch against the B2B REST API', () => {
  let roster: Roster;
  const bothCreated = rendezvous(2);

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());

  async function fork({ onTestFinished }: TestContext): Promise<RosterFork> {
    const world = await roster.fork();
    onTestFinished(() => world.close());
    return world;
  }

  it('POST /api/v2/users; B2B GraphQL and the Management API read the new user', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const token = await signIn(world, 'm.curie@greatbuys.com');

    const created = await rest<{ userId: string; bcId: string; companyRoleName: string }>(world, 'POST', '/api/v2/users', token, {
      companyId: String(GREAT_BUYS),
      email: 'cara@greatbuys.com',
      firstName: 'Cara',
      lastName: 'Dunn',
      phoneNumber: '555-0300',
      role: '2',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ code: 200, message: 'SUCCESS', data: { companyRoleName: 'Junior Buyer' } });
    const { userId, bcId } = created.body.data;

    const read = await graphql<{ user: unknown; users: { totalCount: number; edges: { node: { id: string } }[] } }>(
      world,
      token,
      'query ($companyId: Int!, $userId: Int!) { user(companyId: $companyId, userId: $userId) { id bcId email phone role companyRoleName } users(companyId: $companyId, first: 1) { totalCount edges { node { id } } } }',
      { companyId: GREAT_BUYS, userId: Number(userId) },
    );
    expect(read.user).toEqual({ id: userId, bcId: Number(bcId), email: 'cara@greatbuys.com', phone: '555-0300', role: 2, companyRoleName: 'Junior Buyer' });
    expect(read.users).toEqual({ totalCount: 5, edges: [{ node: { id: userId } }] });

    const viaManagement = await management<Record<string, unknown>>(world, roster.tokens['demo-b2b-read-only'] as string, 'GET', `/users/${userId}`);
    expect(viaManagement.status).toBe(200);
    expect(viaManagement.data).toMatchObject({ id: Number(userId), customerId: Number(bcId), companyId: GREAT_BUYS, lastName: 'Dunn', role: 2, companyRoleName: 'Junior Buyer' });

    // the same e-mail twice is refused with the B2B envelope, and nothing changes
    const again = await rest(world, 'POST', '/api/v2/users', token, { companyId: String(GREAT_BUYS), email: 'cara@greatbuys.com', firstName: 'C', lastName: 'D', phoneNumber: '', role: '2' });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe(422);
    const list = await rest<{ pagination: { totalCount: number } }>(world, 'GET', '/api/v2/users?limit=1', token);
    expect(list.body.data.pagination.totalCount).toBe(5);
  });

  it('the Management API renames a buyer; REST and GraphQL read the new name at once', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const updated = await management<{ firstName: string }>(world, roster.tokens['demo-b2b-modify'] as string, 'PUT', '/users/124', { firstName: 'Pierre-Marie' });
    expect(updated.status).toBe(200);

    const token = await signIn(world, 'm.curie@greatbuys.com');
    const viaRest = await rest<{ firstName: string; email: string }>(world, 'GET', '/api/v2/users/124', token);
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.data).toMatchObject({ firstName: 'Pierre-Marie', email: 'p.curie@greatbuys.com' });
    const viaGraphql = await graphql<{ user: { firstName: string } }>(world, token, 'query ($u: Int!) { user(companyId: 123456, userId: $u) { firstName } }', { u: 124 });
    expect(viaGraphql.user.firstName).toBe('Pierre-Marie');

    // the journal holds this fork's calls only, one line per request
    expect((await world.requests()).map((r) => `${r.api} ${r.method} ${r.status}`)).toEqual([
      'b2b-management PUT 200',
      'b2b-rest POST 200',
      'b2b-rest GET 200',
      'b2b-graphql POST 200',
    ]);
  });

  for (const firstName of ['Left', 'Right']) {
    it(`two tests at once write the same e-mail, each in its own fork (${firstName})`, async (context) => {
      const { expect } = context;
      const world = await fork(context);
      const token = await signIn(world, 'm.curie@greatbuys.com');
      const created = await rest<{ userId: string }>(world, 'POST', '/api/v2/users', token, {
        companyId: String(GREAT_BUYS),
        email: 'same.person@greatbuys.com',
        firstName,
        lastName: 'Twin',
        phoneNumber: '',
        role: '2',
      });
      // in one shared world the second of these would be refused (the e-mail is taken)
      expect(created.status).toBe(200);

      await bothCreated(); // both users exist now, one in each fork
      const list = await rest<{ list: { email: string; firstName: string }[]; pagination: { totalCount: number } }>(world, 'GET', '/api/v2/users?limit=10', token);
      expect(list.body.data.pagination.totalCount).toBe(5);
      expect(list.body.data.list.filter((u) => u.email === 'same.person@greatbuys.com').map((u) => u.firstName)).toEqual([firstName]);
    });
  }
});
