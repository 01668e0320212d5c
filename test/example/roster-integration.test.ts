import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// In your project: import { startRoster, type Roster, type RosterFork } from 'roster/testing';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';
import { AccountUsersClient } from './account-users-client.js';

/**
 * An example integration test: one Roster for the file, one fork per test (so tests could run in
 * parallel and never see each other's writes), faults to exercise the retry path, the request
 * journal to assert on what was actually sent, the clock for time-dependent behaviour.
 */
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';

describe('AccountUsersClient against Roster', () => {
  let roster: Roster;
  let world: RosterFork;
  let client: AccountUsersClient;

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());

  beforeEach(async () => {
    world = await roster.fork();
    client = new AccountUsersClient(world.accountGraphqlUrl(ACCOUNT), roster.tokens['demo-full'] as string);
  });
  afterEach(async () => world.close());

  it('invites a user and sees them in the list', async () => {
    await client.invite('new.colleague@example.com');
    expect(await client.listEmails()).toContain('new.colleague@example.com');

    const [invite] = await world.requests({ operation: 'addUserToAccount' });
    expect(invite?.status).toBe(200);
    expect(invite?.request.headers['x-auth-token']).toBe('[redacted]');
    const [event] = await world.events({ type: 'account.user.added' });
    expect(event?.after).toMatchObject({ email: 'new.colleague@example.com' });
  });

  it('retries once when BigCommerce answers 503', async () => {
    const rule = await world.faults.add({ match: { api: 'account-graphql', operation: 'addUserToAccount', nth: 1 }, effect: { status: 503 } });
    await client.invite('after.retry@example.com');

    const calls = await world.requests({ operation: 'addUserToAccount' });
    expect(calls.map((c) => c.status)).toEqual([503, 200]);
    expect(calls[0]?.fault).toBe(rule.id);
    expect(await client.listEmails()).toContain('after.retry@example.com');
  });

  it('gives up after its retries and reports the error', async () => {
    await world.faults.add({ match: { operation: 'addUserToAccount' }, effect: { status: 500 } });
    await expect(client.invite('never@example.com')).rejects.toThrow(/Account API: 500/);
    expect((await world.requests({ operation: 'addUserToAccount' })).length).toBe(3);
    expect(await client.listEmails()).not.toContain('never@example.com');
  });

  it('never sees what another test wrote', async () => {
    const emails = await client.listEmails();
    expect(emails).not.toContain('new.colleague@example.com');
    expect(emails).not.toContain('after.retry@example.com');
  });

  it('reads the B2B side with a storefront token of a fixture user', async () => {
    const token = await world.b2bToken({ email: 'm.curie@greatbuys.com' });
    const response = await fetch(`${world.b2bUrl}/api/v2/users?limit=2`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { pagination: { totalCount: number } } };
    expect(body.data.pagination.totalCount).toBeGreaterThan(0);
  });

  it('moves time forward for every world', async () => {
    const start = await roster.clock.freeze('2031-01-01T00:00:00Z');
    expect(start.toISOString()).toBe('2031-01-01T00:00:00.000Z');
    expect((await roster.clock.advance(3_600_000)).toISOString()).toBe('2031-01-01T01:00:00.000Z');
    await roster.clock.real();
  });
});
