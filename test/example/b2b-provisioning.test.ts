import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// In your project: import { startRoster, type Roster, type RosterFork } from 'roster/testing';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';

/**
 * An example: a provisioning integration (an ERP or identity-provider sync) tested against Roster
 * over real HTTP, the way BigCommerce's own B2B training labs run it: create a Company through the
 * server-to-server Management API, approve it, bulk-create its buyers, then act as one of them on
 * the storefront API. Each test gets its own fork of the demo world.
 */
const STORE = 'f0qyczpkb2';

/** The integration under test: a tiny Management API client (what your code would be). */
class B2bProvisioner {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly storeHash: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'X-Auth-Token': this.token, 'X-Store-Hash': this.storeHash, Accept: 'application/json', 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { code: number; meta: { message: string }; data: T };
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  }

  createCompany(name: string, admin: { firstName: string; lastName: string; email: string }) {
    return this.call<{ companyId: number; customerId: number }>('POST', '/companies', {
      companyName: name,
      companyEmail: `billing@${name.toLowerCase().replace(/\W+/g, '')}.example`,
      companyPhone: '555-0100',
      country: 'US',
      adminFirstName: admin.firstName,
      adminLastName: admin.lastName,
      adminEmail: admin.email,
    });
  }

  approve(companyId: number) {
    return this.call<{ companyId: number }>('PUT', `/companies/${companyId}/status`, { companyStatus: 1 });
  }

  async addBuyers(companyId: number, buyers: { firstName: string; lastName: string; email: string }[]) {
    const roles = await this.call<{ id: number; name: string }[]>('GET', '/companies/roles');
    const junior = roles.find((r) => r.name === 'Junior Buyer');
    if (!junior) throw new Error('no Junior Buyer role');
    return this.call<{ userId: number; bcId: number }[]>(
      'POST',
      '/users/bulk',
      buyers.map((b) => ({ ...b, companyId, companyRoleId: junior.id, channelIds: [1] })),
    );
  }
}

describe('B2B provisioning flow against Roster', () => {
  let roster: Roster;
  let world: RosterFork;

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());
  beforeEach(async () => {
    world = await roster.fork();
  });
  afterEach(async () => world.close());

  it('creates a Company, approves it, bulk-creates buyers, and one of them uses the storefront API', async () => {
    const provisioner = new B2bProvisioner(world.managementUrl, roster.tokens['demo-b2b-modify'] as string, STORE);

    const company = await provisioner.createCompany('Northwind Traders', { firstName: 'Nora', lastName: 'West', email: 'nora@northwind.example' });
    await provisioner.approve(company.companyId);
    const buyers = await provisioner.addBuyers(company.companyId, [
      { firstName: 'Ada', lastName: 'Byrne', email: 'ada@northwind.example' },
      { firstName: 'Ben', lastName: 'Cole', email: 'ben@northwind.example' },
    ]);
    expect(buyers).toHaveLength(2);

    // users made by the Management API have no password: the server asks for a storefront token (route D)
    const tokenRes = await fetch(`${world.b2bUrl}/api/io/auth/customers/storefront`, {
      method: 'POST',
      headers: { 'X-Auth-Token': roster.tokens['demo-b2b-modify'] as string, 'X-Store-Hash': STORE, 'Content-Type': 'application/json' },
      body: JSON.stringify({ customerId: company.customerId, channelId: 1 }),
    });
    expect(tokenRes.status).toBe(200);
    const storefrontToken = ((await tokenRes.json()) as { data: { token: string[] } }).data.token[0] as string;

    // the Company's admin lists its users through the storefront API: itself and the two buyers
    const list = await fetch(`${world.b2bUrl}/api/v2/users?limit=10`, { headers: { Authorization: `Bearer ${storefrontToken}` } });
    expect(list.status).toBe(200);
    const users = ((await list.json()) as { data: { list: { email: string; role: string; companyRoleName: string }[] } }).data.list;
    expect(users.map((u) => [u.email, u.role, u.companyRoleName])).toEqual([
      ['ben@northwind.example', '2', 'Junior Buyer'],
      ['ada@northwind.example', '2', 'Junior Buyer'],
      ['nora@northwind.example', '0', 'Admin'],
    ]);

    // what happened, as the emulator recorded it
    expect((await world.events({ type: 'company.created' })).map((e) => (e.after as { name?: string } | null)?.name)).toEqual(['Northwind Traders']);
    expect(await world.events({ type: 'company.user.created' })).toHaveLength(3);
    const calls = await world.requests({ api: 'b2b-management' });
    expect(calls.every((c) => c.request.headers['x-auth-token'] === '[redacted]')).toBe(true);
  });

  it('a status other than approved locks the buyers out of the storefront API at once', async () => {
    const provisioner = new B2bProvisioner(world.managementUrl, roster.tokens['demo-b2b-modify'] as string, STORE);
    const company = await provisioner.createCompany('Suspended Supply', { firstName: 'Sam', lastName: 'Spade', email: 'sam@suspended.example' });
    const tokenRes = await fetch(`${world.b2bUrl}/api/io/auth/customers/storefront`, {
      method: 'POST',
      headers: { 'X-Auth-Token': roster.tokens['demo-b2b-modify'] as string, 'X-Store-Hash': STORE, 'Content-Type': 'application/json' },
      body: JSON.stringify({ customerId: company.customerId }),
    });
    const storefrontToken = ((await tokenRes.json()) as { data: { token: string[] } }).data.token[0] as string;
    const list = () => fetch(`${world.b2bUrl}/api/v2/users`, { headers: { Authorization: `Bearer ${storefrontToken}` } });
    expect((await list()).status).toBe(200);

    await fetch(`${world.managementUrl}/companies/${company.companyId}/status`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': roster.tokens['demo-b2b-modify'] as string, 'X-Store-Hash': STORE, 'Content-Type': 'application/json' },
      body: JSON.stringify({ companyStatus: 3 }),
    });
    const refused = await list();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 403, message: 'You do not have permission to perform this action.' });
  });
});
