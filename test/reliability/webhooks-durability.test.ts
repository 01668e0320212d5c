import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresUrl } from '../helpers/dialects.js';
import { freePort } from '../helpers/processes.js';
import { freshPgSchema, type PgSchema, type RosterServer, startRoster, stopAll } from '../helpers/reliability-processes.js';
import { type ReceivedRequest, startReceiver, type TestReceiver, UUID_LOWER, verifyWithLibrary } from '../helpers/webhooks-support.js';

/**
 * Webhook durability with real server processes (dist/main.js, #19, webhooks.md §5.3 "Roster delivers
 * at least once", §7.4, §10 #26): a delivery waiting for a retry, or in flight, when the server is
 * stopped with SIGTERM or killed with SIGKILL is attempted again after a restart on the same database,
 * with the same webhook-id and body bytes, never lost, and not repeated beyond at-least-once. The
 * demo world (loaded on first start) signs with the demo account's client secret. SQLite (a file)
 * runs always; PostgreSQL when ROSTER_TEST_POSTGRES_URL is set (a fresh schema, dropped after).
 * The clock runs in real time; retries are made due with POST /_roster/clock {advanceMs}.
 */
const dir = mkdtempSync(join(tmpdir(), 'roster-webhooks-'));
const schemas: PgSchema[] = [];
const receivers: TestReceiver[] = [];
afterEach(async () => {
  await stopAll();
  while (receivers.length > 0) await receivers.pop()?.close();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await s.drop();
});

const STORE = 'f0qyczpkb2';
const TOKEN = 'demo-store-token-b2b';
const SECRET = 'demo-b2b-client-secret';
/** no quotas; a short attempt timeout so a lease left by a killed process expires soon (timeout + 5 s) */
const FLAGS = ['--account-rate-limit', 'off', '--b2b-rate-limit', 'off', '--webhook-timeout-ms', '3000'];

interface Target {
  name: string;
  url: string;
}

const targets: (() => Target)[] = [() => ({ name: 'SQLite', url: `sqlite:${join(dir, `webhooks-${Date.now()}-${Math.random().toString(36).slice(2)}.db`)}` })];
if (postgresUrl) {
  targets.push(() => {
    const schema = freshPgSchema('whdur');
    schemas.push(schema);
    return { name: 'PostgreSQL', url: schema.url };
  });
}

async function call(server: RosterServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; raw: string }> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const raw = await res.text();
  let parsed: unknown;
  try {
    parsed = raw === '' ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, raw };
}

async function registerHook(server: RosterServer, destination: string): Promise<number> {
  const res = await call(server, 'POST', `/stores/${STORE}/v3/hooks`, { scope: 'store/company/user/created', destination }, { 'x-auth-token': TOKEN });
  expect(res.status, res.raw).toBe(200);
  return res.body.data.id as number;
}

async function createUser(server: RosterServer, tag: string): Promise<number> {
  const res = await call(
    server,
    'POST',
    '/api/v3/io/users',
    { firstName: 'Durable', lastName: tag, email: `durable.${tag}@example.org`, companyId: 123456, role: 2, channelIds: [1] },
    { 'x-auth-token': TOKEN, 'x-store-hash': STORE },
  );
  expect(res.status, res.raw).toBe(200);
  return res.body.data.userId as number;
}

async function drain(server: RosterServer, timeoutMs = 20_000): Promise<{ pending: number; nextDueAt: string | null; timedOut: boolean }> {
  const res = await call(server, 'POST', '/_roster/webhooks/drain', { timeoutMs });
  expect(res.status, res.raw).toBe(200);
  return res.body;
}

async function advance(server: RosterServer, ms: number): Promise<void> {
  const res = await call(server, 'POST', '/_roster/clock', { advanceMs: ms });
  expect(res.status, res.raw).toBe(200);
}

async function deliveriesOf(server: RosterServer, webhookId: number): Promise<any[]> {
  const res = await call(server, 'GET', `/_roster/webhooks/deliveries?webhookId=${webhookId}`);
  expect(res.status, res.raw).toBe(200);
  return res.body.deliveries as any[];
}

async function stop(server: RosterServer, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  server.kill(signal);
  const exit = await server.exited;
  if (signal === 'SIGTERM') expect(exit, server.stderr().slice(-2000)).toEqual({ code: 0, signal: null });
  else expect(exit.signal).toBe('SIGKILL');
}

/** Drains (and, with `advanceMs`, moves the clock) until the receiver holds `count` requests, or fails after `timeoutMs` of real time. */
async function until(server: RosterServer, rx: TestReceiver, count: number, options: { advanceMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 40_000);
  while (rx.received.length < count) {
    if (performance.now() > deadline) throw new Error(`receiver has ${rx.received.length} of ${count} requests`);
    if (options.advanceMs) await advance(server, options.advanceMs);
    await drain(server, 5_000);
    if (rx.received.length < count) await new Promise((r) => setTimeout(r, 250));
  }
}

function expectSameDelivery(got: ReceivedRequest, webhookId: string, body: string): void {
  expect(got.headers['webhook-id']).toBe(webhookId);
  expect(got.body).toBe(body);
  verifyWithLibrary(SECRET, got.bytes, got.headers, Number(got.headers['webhook-timestamp']));
}

describe.each(targets.map((make) => [make().name, make] as const))('%s', (_name, make) => {
  it('a delivery waiting for its retry (receiver down) survives SIGTERM and then SIGKILL: attempted after each restart, same webhook-id and bytes, delivered once it succeeds, then never again', { timeout: 120_000 }, async () => {
    const target = make();
    const port = await freePort();
    const destination = `http://127.0.0.1:${port}/hooks`;

    const first = await startRoster(['--database', target.url, ...FLAGS]);
    const hookId = await registerHook(first, destination);
    const userId = await createUser(first, 'down');
    expect(await drain(first)).toMatchObject({ pending: 1, timedOut: false });
    const [before] = await deliveriesOf(first, hookId);
    expect(before).toMatchObject({ state: 'pending', scope: 'store/company/user/created' });
    expect(before.attempts).toHaveLength(1);
    expect(before.attempts[0]).toMatchObject({ n: 1, outcome: 'failed', error: 'connection' });
    const webhookId = before.id as string;
    expect(webhookId).toMatch(UUID_LOWER);
    const body = JSON.stringify(before.payload);
    expect(before.payload.data).toEqual({ company_id: 123456, user_id: userId });
    await stop(first, 'SIGTERM');

    // the receiver comes up (failing); a restarted server makes attempt 2 once it is due
    const rx = await startReceiver({ port, respond: 500 });
    receivers.push(rx);
    const second = await startRoster(['--database', target.url, ...FLAGS]);
    await drain(second);
    expect(rx.received).toEqual([]); // not due yet (t0 + 60 s)
    await advance(second, 120_000);
    await until(second, rx, 1);
    expectSameDelivery(rx.received[0] as ReceivedRequest, webhookId, body);
    expect(await drain(second)).toMatchObject({ pending: 1 });
    await stop(second, 'SIGKILL');

    // killed while idle: attempt 3 after the next restart, which succeeds
    rx.respondWith(200);
    const third = await startRoster(['--database', target.url, ...FLAGS]);
    await advance(third, 300_000);
    await until(third, rx, 2);
    expectSameDelivery(rx.received[1] as ReceivedRequest, webhookId, body);
    expect(await drain(third)).toMatchObject({ pending: 0, nextDueAt: null });
    await advance(third, 3 * 86_400_000);
    await drain(third);
    expect(rx.received).toHaveLength(2);
    await stop(third, 'SIGTERM');

    // and a fourth start sends nothing either
    const fourth = await startRoster(['--database', target.url, ...FLAGS]);
    await advance(fourth, 4 * 86_400_000);
    expect(await drain(fourth)).toMatchObject({ pending: 0 });
    expect(rx.received).toHaveLength(2);
  });

  it('an attempt in flight when the server is killed (SIGKILL) is made again after a restart: same webhook-id, at least once, not more than needed', { timeout: 120_000 }, async () => {
    const target = make();
    const rx = await startReceiver({ respond: 'hang' });
    receivers.push(rx);
    const first = await startRoster(['--database', target.url, ...FLAGS]);
    const hookId = await registerHook(first, rx.url('/hooks'));
    const userId = await createUser(first, 'inflight');
    await rx.waitFor(1, { timeoutMs: 10_000 });
    const webhookId = String(rx.received[0]?.headers['webhook-id']);
    const body = (rx.received[0] as ReceivedRequest).body;
    expect(JSON.parse(body).data).toEqual({ company_id: 123456, user_id: userId });
    await stop(first, 'SIGKILL');

    rx.respondWith(200);
    const second = await startRoster(['--database', target.url, ...FLAGS]);
    // the killed process's lease runs out (its attempt timeout + 5 s of real time), then the attempt is made again
    await until(second, rx, 2, { timeoutMs: 60_000 });
    expectSameDelivery(rx.received[1] as ReceivedRequest, webhookId, body);
    expect(await drain(second)).toMatchObject({ pending: 0, nextDueAt: null });
    const log = await deliveriesOf(second, hookId);
    expect(log.map((d) => [d.id, d.state])).toEqual([[webhookId, 'succeeded']]);
    await advance(second, 3 * 86_400_000);
    await drain(second);
    expect(rx.received).toHaveLength(2);
  });

  it('an attempt in flight when the server is stopped (SIGTERM) is not lost: the server exits 0 and the delivery arrives after a restart', { timeout: 120_000 }, async () => {
    const target = make();
    const rx = await startReceiver({ respond: 'hang' });
    receivers.push(rx);
    const first = await startRoster(['--database', target.url, ...FLAGS]);
    const hookId = await registerHook(first, rx.url('/hooks'));
    await createUser(first, 'term');
    await rx.waitFor(1, { timeoutMs: 10_000 });
    const webhookId = String(rx.received[0]?.headers['webhook-id']);
    const body = (rx.received[0] as ReceivedRequest).body;
    await stop(first, 'SIGTERM');

    rx.respondWith(200);
    const second = await startRoster(['--database', target.url, ...FLAGS]);
    // whether the stopped attempt was recorded as failed (retry due in 60 s) or left leased, it comes again
    await until(second, rx, 2, { advanceMs: 61_000, timeoutMs: 60_000 });
    const again = rx.received.slice(1);
    for (const r of again) expectSameDelivery(r, webhookId, body);
    expect(await drain(second)).toMatchObject({ pending: 0, nextDueAt: null });
    const log = await deliveriesOf(second, hookId);
    expect(log.map((d) => [d.id, d.state])).toEqual([[webhookId, 'succeeded']]);
    const count = rx.received.length;
    await advance(second, 3 * 86_400_000);
    await drain(second);
    expect(rx.received).toHaveLength(count);
    expect(count).toBe(2);
  });
});
