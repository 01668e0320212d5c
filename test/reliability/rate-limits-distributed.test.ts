import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresUrl } from '../helpers/dialects.js';
import { freshPgSchema, type PgSchema, type RosterServer, startRoster, stopAll } from '../helpers/reliability-processes.js';
import { rememberIssued, secretsIn } from '../helpers/reliability-secrets.js';

/**
 * Distributed rate limits: two server processes on one database share their counters through
 * Redis (the shared instance on 6379; keys are namespaced per database, so each run has its own),
 * and under concurrent load spread over both they let through exactly the budget: 20 per account
 * on the Account API and 20 per store on B2B. SQLite (one file, two processes) always; PostgreSQL
 * when ROSTER_TEST_POSTGRES_URL is set.
 */
const REDIS = process.env.ROSTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dir = mkdtempSync(join(tmpdir(), 'roster-limits-'));
const schemas: PgSchema[] = [];
afterEach(stopAll);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await s.drop();
});

const databases: [string, () => string][] = [['SQLite', () => `sqlite:${join(dir, `limits-${Date.now()}.db`)}`]];
if (postgresUrl) {
  databases.push([
    'PostgreSQL',
    () => {
      const schema = freshPgSchema('limits');
      schemas.push(schema);
      return schema.url;
    },
  ]);
}

const ACCOUNT_A = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const ACCOUNT_B = '0b9e5c3e-7d2f-4a51-9c4e-2f8a6b1d3e70';
const BUDGET = 20;
const FLAGS = ['--redis', REDIS, '--account-rate-limit', `${BUDGET}/60000`, '--b2b-rate-limit', `${BUDGET}/60000`];

async function accountQuery(server: RosterServer, uuid: string, token: string) {
  const res = await fetch(`${server.base}/accounts/${uuid}/graphql`, {
    method: 'POST',
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ account { id } }' }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe.each(databases)('two servers sharing %s and Redis', (_name, makeUrl) => {
  it('let exactly the budget through across both, per account and per store', { timeout: 90_000 }, async () => {
    const url = makeUrl();
    const first = await startRoster(['--database', url, ...FLAGS], { LOG_LEVEL: 'info' });
    // started second, so it finds the database seeded and does not load the demo again
    const second = await startRoster(['--database', url, ...FLAGS], { LOG_LEVEL: 'info' });
    const servers = [first, second];

    // Account API: 60 at once, alternating servers, for account A
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => accountQuery(servers[i % 2] as RosterServer, ACCOUNT_A, 'demo-account-token-full')));
    const passed = answers.filter((a) => a.status !== 429);
    expect(passed).toHaveLength(BUDGET);
    for (const a of passed) expect(a.status).toBe(200);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused[0]?.body).toEqual({ status: 429, title: 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} });
    expect(refused[0]?.headers.get('retry-after')).toMatch(/^\d+$/);
    // both servers took part in the refusals and the passes
    expect(answers.filter((a, i) => i % 2 === 1 && a.status === 429).length).toBeGreaterThan(0);
    expect(answers.filter((a, i) => i % 2 === 0 && a.status === 429).length).toBeGreaterThan(0);

    // account B has its own budget
    const other = await Promise.all(Array.from({ length: 5 }, (_, i) => accountQuery(servers[i % 2] as RosterServer, ACCOUNT_B, 'demo-other-account-token')));
    expect(other.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);

    // B2B: the sign-in counts for the store (§14 #14), then 60 reads at once over both servers
    const signIn = await fetch(`${first.base}/api/io/auth/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1, name: 'limits' }),
    });
    expect(signIn.status).toBe(200);
    const token = ((await signIn.json()) as { data: { token: string } }).data.token;
    rememberIssued('storefront token (rate limits)', token);
    const reads = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const res = await fetch(`${(servers[i % 2] as RosterServer).base}/api/v2/users`, { headers: { authorization: `Bearer ${token}` } });
        return { status: res.status, body: (await res.json()) as { code: number; message: string }, remaining: res.headers.get('x-requests-remaining') };
      }),
    );
    const readsPassed = reads.filter((r) => r.status !== 429);
    expect(readsPassed).toHaveLength(BUDGET - 1);
    for (const r of readsPassed) expect(r.status).toBe(200);
    const throttled = reads.find((r) => r.status === 429);
    expect(throttled?.body.code).toBe(429);
    expect(throttled?.body.message).toMatch(/^Request was throttled\. Expected available in \d+ seconds\.$/);
    expect(throttled?.remaining).toBe('0 times');

    // no secret (tokens, passwords, JWT secrets, the issued JWT) in either server's log lines
    for (const server of servers) {
      const lines = server.output().split('\n').filter((l) => l.startsWith('{'));
      expect(lines.flatMap((l) => secretsIn(l).map((x) => x.label))).toEqual([]);
    }
  });
});
