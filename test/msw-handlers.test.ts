import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rosterHandlers } from '../src/msw.js';
import { type Roster, startRoster } from '../src/testing.js';

/**
 * roster/msw's own edges: a `drop` fault rule reaches the client as a network error (there is no
 * socket to cut in process), the journal records the host the client addressed, b2bToken() works
 * without a socket, and other hosts are MSW's business.
 */
describe('roster/msw handlers', () => {
  let roster: Roster;
  const server = setupServer();
  beforeAll(async () => {
    roster = await startRoster({ listen: false });
    server.listen({ onUnhandledRequest: 'error' });
  });
  afterAll(async () => {
    server.close();
    await roster.close();
  });

  it('a drop fault is a network error for the client, once; the next call is answered', async () => {
    const fork = await roster.fork();
    server.use(...rosterHandlers(fork));
    try {
      await fork.faults.add({ match: { api: 'b2b-management', operation: 'companies_users_list' }, effect: { drop: true }, times: 1 });
      const call = () => fetch('https://api-b2b.bigcommerce.com/api/v3/io/users?limit=1', { headers: { 'X-Auth-Token': 'demo-store-token-b2b', 'X-Store-Hash': 'f0qyczpkb2' } });
      await expect(call()).rejects.toThrow();
      const next = await call();
      expect(next.status).toBe(200);
      const journal = await fork.requests({ api: 'b2b-management' });
      expect(journal.map((r) => r.status)).toEqual([502, 200]);
      expect(journal.every((r) => r.request.headers.host === 'api-b2b.bigcommerce.com')).toBe(true);
    } finally {
      server.resetHandlers();
      await fork.close();
    }
  });

  it('b2bToken() signs in without a socket (an MSW server with onUnhandledRequest: "error" never sees it)', async () => {
    const fork = await roster.fork();
    server.use(...rosterHandlers(fork));
    try {
      const token = await fork.b2bToken({ email: 'm.curie@greatbuys.com' });
      const list = await fetch('https://api-b2b.bigcommerce.com/api/v2/users?limit=1', { headers: { Authorization: `Bearer ${token}` } });
      expect(list.status).toBe(200);
      expect(((await list.json()) as { data: { pagination: { totalCount: number } } }).data.pagination.totalCount).toBe(4);
    } finally {
      server.resetHandlers();
      await fork.close();
    }
  });
});
