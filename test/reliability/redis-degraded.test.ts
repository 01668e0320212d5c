import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startPrivateRedis, startRoster, stopAll } from '../helpers/reliability-processes.js';
import { secretsIn } from '../helpers/reliability-secrets.js';

/**
 * When the Redis that shares rate-limit counters goes away, the server keeps answering, says so in
 * its log and in /healthz (`rateLimits`), and recovers when Redis is back. Uses a redis-server of
 * its own on a free port (never the shared instance).
 */
afterAll(stopAll);

describe('Redis outage', () => {
  it('degrades to local counters, reports it in /healthz and the log, and recovers', async () => {
    const redis = await startPrivateRedis();
    const server = await startRoster(['--database', 'sqlite::memory:', '--redis', redis.url, '--account-rate-limit', '20/60000', '--b2b-rate-limit', '20/60000'], {
      LOG_LEVEL: 'info',
    });
    const health = async () => (await (await fetch(`${server.base}/healthz`)).json()) as { status: string; rateLimits?: string };
    expect(await health()).toEqual({ status: 'ok' });
    const accountStatus = async () =>
      (
        await fetch(`${server.base}/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql`, {
          method: 'POST',
          headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ account { id } }' }),
        })
      ).status;
    // wait until the server's Redis connection is ready (its ready check ran), so what follows is counted in Redis
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await probe.connect();
    await eventually(async () => String(await probe.client('LIST')).split('\n').some((l: string) => / cmd=(info|eval|evalsha)/.test(l) && !l.includes(' cmd=client')), 10_000, 'the server to connect to Redis');
    // five requests, all counted in Redis
    for (let i = 0; i < 5; i++) expect(await accountStatus()).toBe(200);
    const keys = await probe.keys('roster:*');
    const counts = await Promise.all(keys.map((k) => probe.hget(k, 'c')));
    expect(counts.map(Number)).toContain(5);
    probe.disconnect();

    await redis.shutdown();
    await eventually(async () => (await health()).rateLimits !== undefined, 10_000, '/healthz to report degraded rate limits');
    const degraded = await health();
    expect(degraded.status).toBe('ok');
    expect(degraded.rateLimits).toMatch(/degraded/i);
    await eventually(() => /rate limits degraded to local counters/.test(server.output()), 5_000, 'the degradation log line');
    const line = server.output().split('\n').find((l) => l.includes('rate limits degraded'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 40 });

    // the server keeps answering while Redis is down, limiting with its own fresh counters: 20 more, then 429
    const during: number[] = [];
    for (let i = 0; i < 25; i++) during.push(await accountStatus());
    expect(during).toEqual([...Array(20).fill(200), ...Array(5).fill(429)]);
    const b2b = await fetch(`${server.base}/api/io/auth/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1, name: 'outage' }),
    });
    expect(b2b.status).toBe(200);

    // Redis back on the same port: shared counters again, and the log says so
    await startPrivateRedis(redis.port);
    await eventually(async () => (await health()).rateLimits === undefined, 10_000, '/healthz to stop reporting degradation');
    expect(await health()).toEqual({ status: 'ok' });
    await eventually(() => /rate limits shared through Redis again/.test(server.output()), 5_000, 'the recovery log line');
    // no secret in any log line (the start-up banner, not JSON, prints the demo tokens on purpose)
    const logLines = server.output().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.flatMap((l) => secretsIn(l).map((x) => x.label))).toEqual([]);
  });
});
