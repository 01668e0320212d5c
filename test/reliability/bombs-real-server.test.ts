import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { accountProfile, b2bProfile, type Bomb, bombPayload, costBombs } from '../helpers/reliability-cost-bombs.js';
import { startRoster, stopAll } from '../helpers/reliability-processes.js';

/**
 * The whole server under cost bombs (dist/main.js, a real process, SQLite in memory): while
 * clients keep sending the heaviest documents of every class to both GraphQL APIs, /healthz is
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
    const targets = [
      ...heaviest(accountProfile).map((bomb) => ({ path: ACCOUNT_PATH, headers: { 'x-auth-token': 'demo-account-token-full' }, payload: bombPayload(bomb) })),
      ...heaviest(b2bProfile).map((bomb) => ({ path: '/graphql', headers: { authorization: `Bearer ${token}` }, payload: bombPayload(bomb) })),
    ];
    expect(targets.length).toBeGreaterThan(40);

    let firing = true;
    const statuses = new Map<number, number>();
    // four clients, each sending every bomb in turn until told to stop
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let i = c; firing; i++) {
        const target = targets[i % targets.length] as (typeof targets)[number];
        try {
          const res = await fetch(`${server.base}${target.path}`, { method: 'POST', headers: { ...target.headers, 'content-type': 'application/json' }, body: target.payload });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
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
  });
});
