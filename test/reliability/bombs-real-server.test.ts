import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { accountProfile, b2bProfile, type Bomb, bombPayload, costBombs } from '../helpers/reliability-cost-bombs.js';
import { startRoster, stopAll } from '../helpers/reliability-processes.js';

/**
 * The whole server under cost bombs (dist/main.js, a real process, SQLite in memory): while
 * clients keep sending the heaviest documents of every class to both GraphQL APIs (and the B2B
 * Management API its heaviest requests within and past its limits), /healthz is
 * answered throughout, and SIGTERM stops the server (exit 0) before the bombs run out. Before the
 * fix one 31-fragment document held the process for good: no health answer, SIGTERM ignored.
 */
afterEach(stopAll);

const ACCOUNT_PATH = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';

/** The largest bomb of each class that fast-check draws in a sample. */
function heaviest(profile: typeof accountProfile): Bomb[] {
  const byFamily = new Map<string, Bomb>();
  for (const bomb of fc.sample(costBombs(profile), { numRuns: 400, seed: 31 })) {
    const kept = byFamily.get(bomb.family);
    if (!kept || bombPayload(bomb).length > bombPayload(kept).length) byFamily.set(bomb.family, bomb);
  }
  return [...byFamily.values()];
}

describe('a real server under cost bombs', () => {
  it('keeps answering /healthz and stops on SIGTERM while bombs keep coming', { timeout: 120_000 }, async () => {
    const server = await startRoster(['--database', 'sqlite::memory:', '--account-rate-limit', 'off', '--b2b-rate-limit', 'off']);
    const signIn = await fetch(`${server.base}/api/io/auth/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1, name: 'demo' }),
    });
    const token = ((await signIn.json()) as { data: { token: string } }).data.token;
    const graphqlTargets = [
      ...heaviest(accountProfile).map((bomb) => ({ path: ACCOUNT_PATH, headers: { 'x-auth-token': 'demo-account-token-full' }, payload: bombPayload(bomb) })),
      ...heaviest(b2bProfile).map((bomb) => ({ path: '/graphql', headers: { authorization: `Bearer ${token}` }, payload: bombPayload(bomb) })),
    ];
    // the Management API's requests spread among the GraphQL bombs (every client walks the list from its start)
    const management = managementHeavyweights();
    const targets: { path: string; headers: Record<string, string>; payload?: string; method?: string; management?: boolean }[] = graphqlTargets.flatMap((target, i) => {
      const extra = i % 5 === 0 ? management[i / 5] : undefined;
      return extra ? [extra, target] : [target];
    });
    expect(targets.filter((x) => x.management)).toHaveLength(management.length);
    expect(targets.length).toBeGreaterThan(48);

    let firing = true;
    const statuses = new Map<number, number>();
    const managementStatuses = new Map<number, number>();
    // four clients, each sending every bomb in turn until told to stop
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let i = c; firing; i++) {
        const target = targets[i % targets.length] as (typeof targets)[number];
        try {
          const res = await fetch(`${server.base}${target.path}`, {
            method: target.method ?? 'POST',
            headers: { ...target.headers, ...(target.payload !== undefined ? { 'content-type': 'application/json' } : {}) },
            ...(target.payload !== undefined ? { body: target.payload } : {}),
          });
          const seen = target.management ? managementStatuses : statuses;
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          await res.arrayBuffer();
        } catch {
          // the server is going away (SIGTERM below)
          return;
        }
      }
    });

    // health checks all along: each answered, none held for long
    const healthMs: number[] = [];
    const until = performance.now() + 4_000;
    while (performance.now() < until) {
      const started = performance.now();
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(200);
      healthMs.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(healthMs.length).toBeGreaterThan(10);
    expect(Math.max(...healthMs), `slowest health answer under bombs: ${Math.max(...healthMs).toFixed(0)} ms`).toBeLessThan(1_000);

    const stopping = performance.now();
    server.kill('SIGTERM');
    const exit = await server.exited;
    firing = false;
    await Promise.all(clients);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - stopping, server.output().slice(-3000) + server.stderr().slice(-3000)).toBeLessThan(10_000);
    // the bombs were answered (refused or served), never with a 5xx
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(targets.length);
    for (const status of statuses.keys()) expect([200, 503]).toContain(status);
    // the Management API's heaviest requests were served or refused in its own terms (503 only while closing)
    expect([...managementStatuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const status of managementStatuses.keys()) expect([200, 409, 413, 422, 503]).toContain(status);
  });
});

/**
 * The B2B Management API's heaviest requests within its limits (b2b-management-rest.md §3.3, §4.4,
 * §5.8, §6): bulk bodies of ten items with a thousand extra fields each, full pages with extra
 * fields, LIKE patterns, the hierarchy, and bodies past ten items or past 1 MiB.
 */
function managementHeavyweights(): { path: string; headers: Record<string, string>; payload?: string; method?: string; management: true }[] {
  const headers = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'f0qyczpkb2' };
  const fields = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ fieldName: `${tag} ${i}`, fieldValue: 'v' }));
  const users = Array.from({ length: 10 }, (_, i) => ({ firstName: 'Heavy', lastName: `${i}`, email: `heavy.${i}@example.org`, companyId: 123456, role: 2, channelIds: [1], extraFields: fields(1_000, `u${i}`) }));
  const companies = Array.from({ length: 10 }, (_, i) => ({ companyName: `Heavy ${i}`, companyEmail: 'heavy@example.org', companyPhone: '5550100', country: 'US', adminFirstName: 'Heavy', adminLastName: `${i}`, adminEmail: `heavy.admin.${i}@example.org`, extraFields: fields(1_000, `c${i}`) }));
  const m = (path: string, method: string, body?: unknown) => ({ path: `/api/v3/io${path}`, method, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}), management: true as const });
  return [
    m('/users/bulk', 'POST', users),
    m('/companies/bulk', 'POST', companies),
    m('/companies/bulk', 'PUT', [123456, 123457, 223344, 334455].map((companyId, i) => ({ companyId, extraFields: fields(1_000, `p${i}`) }))),
    m('/users/bulk', 'POST', Array.from({ length: 50_000 }, () => ({}))),
    m('/users', 'POST', { firstName: 'x'.repeat(2 * 1024 * 1024) }),
    m(`/users?limit=250&isIncludeExtraFields=1&q=${'%25'.repeat(2_000)}`, 'GET'),
    m('/companies?limit=250&isIncludeExtraFields=1&sortBy=companyName&orderBy=asc', 'GET'),
    m('/companies/123457/hierarchy?limit=250', 'GET'),
  ];
}
