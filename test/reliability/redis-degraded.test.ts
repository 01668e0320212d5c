import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startPrivateRedis, startRoster, stopAll } from '../helpers/reliability-processes.js';

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

    await redis.shutdown();
    await eventually(async () => (await health()).rateLimits !== undefined, 10_000, '/healthz to report degraded rate limits');
    const degraded = await health();
    expect(degraded.status).toBe('ok');
    expect(degraded.rateLimits).toMatch(/degraded/i);
    await eventually(() => /rate limits degraded to local counters/.test(server.output()), 5_000, 'the degradation log line');
    const line = server.output().split('\n').find((l) => l.includes('rate limits degraded'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 40 });

    // the server keeps answering while Redis is down
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.base}/healthz`)).status).toBe(200);

    // Redis back on the same port: shared counters again, and the log says so
    await startPrivateRedis(redis.port);
    await eventually(async () => (await health()).rateLimits === undefined, 10_000, '/healthz to stop reporting degradation');
    expect(await health()).toEqual({ status: 'ok' });
    await eventually(() => /rate limits shared through Redis again/.test(server.output()), 5_000, 'the recovery log line');
  });
});
