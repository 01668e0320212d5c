import { afterEach, describe, expect, it } from 'vitest';
import { readServeConfig } from '../src/cli/config.js';
import { resolveRuntimeSettings } from '../src/runtime-settings.js';
import { startWebhookReceiver, startRoster, type Roster, type WebhookReceiver } from '../src/testing.js';
import { DEFAULT_WEBHOOK_SETTINGS } from '../src/webhooks/webhook-dispatcher.js';
import { dialects, postgresUrl } from './helpers/dialects.js';
import { managementFixture, mgmt, NOW, STORE, TOKENS } from './helpers/management-support.js';
import { freePort, type RunningProcess, runRoster, waitForHealthy } from './helpers/processes.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';

/**
 * The webhook settings of webhooks.md §7.5: `settings.webhooks` in a fixture, the CLI flags
 * (--webhooks, --webhook-destinations, --webhook-timeout-ms, --webhook-insecure-tls,
 * --webhook-timestamp, --webhook-concurrency), createTestApp's and startRoster's `webhooks` option;
 * each key from the flags, else the fixture, else the default. Observed through the world's resolved
 * settings, the registration API (strict destinations) and the delivery log (record mode: a delivery
 * logged as `recorded`, nothing reaching a receiver).
 */
type Json = Record<string, any>; // fixture trees are loosely typed in tests

const COMPANY = {
  companyName: 'Settings Labs',
  companyPhone: '555-0100',
  companyEmail: 'info@settings.example',
  country: 'FR',
  adminFirstName: 'Ada',
  adminLastName: 'Set',
  adminEmail: 'ada@settings.example',
};

/** managementFixture() with `settings.webhooks` and (when `destination`) a store/company/created hook of the modify account. */
function fixtureWith(webhooks: Json | undefined, destination?: string): Json {
  const fixture = managementFixture() as Json;
  if (webhooks !== undefined) fixture.settings = { ...fixture.settings, webhooks };
  if (destination !== undefined) fixture.b2b.stores[0].apiAccounts[0].webhooks = [{ id: 1, scope: 'store/company/created', destination }];
  return fixture;
}

describe('resolveRuntimeSettings: webhooks', () => {
  const flags = { accountRateLimit: undefined, b2bRateLimit: undefined, production: false };
  it('defaults, then the fixture, then the flags, key by key', () => {
    expect(resolveRuntimeSettings({}, flags).webhooks).toEqual(DEFAULT_WEBHOOK_SETTINGS);
    expect(DEFAULT_WEBHOOK_SETTINGS).toEqual({ mode: 'send', destinations: 'lenient', timeoutMs: 10_000, insecureTls: false, timestamp: 'clock', concurrency: 8 });
    expect(resolveRuntimeSettings({ webhooks: { mode: 'record', timeoutMs: 1234 } }, flags).webhooks).toEqual({ ...DEFAULT_WEBHOOK_SETTINGS, mode: 'record', timeoutMs: 1234 });
    expect(
      resolveRuntimeSettings({ webhooks: { mode: 'record', timeoutMs: 1234, insecureTls: true } }, { ...flags, webhooks: { mode: 'send', concurrency: 2, timestamp: 'real', timeoutMs: undefined } })
        .webhooks,
    ).toEqual({ mode: 'send', destinations: 'lenient', timeoutMs: 1234, insecureTls: true, timestamp: 'real', concurrency: 2 });
  });
});

describe('CLI: the webhook flags', () => {
  const parse = (flags: Record<string, unknown>) => readServeConfig({ database: 'sqlite::memory:', ...flags }, {}, false).webhooks;

  it('parses each flag into its setting; a flag not given leaves its key out', () => {
    expect(parse({})).toEqual({});
    expect(
      parse({ webhooks: 'record', webhookDestinations: 'strict', webhookTimeoutMs: '2500', webhookInsecureTls: true, webhookTimestamp: 'real', webhookConcurrency: '3' }),
    ).toEqual({ mode: 'record', destinations: 'strict', timeoutMs: 2500, insecureTls: true, timestamp: 'real', concurrency: 3 });
    expect(parse({ webhooks: 'off' })).toEqual({ mode: 'off' });
    expect(parse({ webhooks: 'send', webhookDestinations: 'lenient', webhookTimestamp: 'clock' })).toEqual({ mode: 'send', destinations: 'lenient', timestamp: 'clock' });
  });

  it.each([
    [{ webhooks: 'loud' }, '--webhooks must be send, record or off, got "loud"'],
    [{ webhookDestinations: 'https' }, '--webhook-destinations must be lenient or strict, got "https"'],
    [{ webhookTimeoutMs: '0' }, '--webhook-timeout-ms must be a whole number from 1 to 3600000, got "0"'],
    [{ webhookTimeoutMs: '2.5s' }, '--webhook-timeout-ms must be a whole number from 1 to 3600000, got "2.5s"'],
    [{ webhookTimestamp: 'server' }, '--webhook-timestamp must be clock or real, got "server"'],
    [{ webhookConcurrency: '-1' }, '--webhook-concurrency must be a whole number from 1 to 1000, got "-1"'],
    [{ webhookConcurrency: '1001' }, '--webhook-concurrency must be a whole number from 1 to 1000, got "1001"'],
  ])('refuses %j: one clear message', (flags, message) => {
    expect(() => parse(flags)).toThrow(message);
  });

  describe('a roster process', () => {
    const running: RunningProcess[] = [];
    const receivers: WebhookReceiver[] = [];
    afterEach(async () => {
      while (running.length > 0) running.pop()?.kill();
      while (receivers.length > 0) await receivers.pop()?.close();
    });
    const start = (args: string[]) => {
      const p = runRoster(['--database', 'sqlite::memory:', ...args]);
      running.push(p);
      return p;
    };
    const post = (base: string, path: string, body: unknown, headers: Record<string, string>) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    it('serves with the flags: --webhook-destinations strict refuses an http destination; --webhooks record logs a delivery and sends nothing', async () => {
      const strictPort = await freePort();
      start(['--port', String(strictPort), '--webhook-destinations', 'strict', '--webhook-timeout-ms', '2500', '--webhook-concurrency', '2', '--webhook-timestamp', 'real', '--webhook-insecure-tls']);
      await waitForHealthy(strictPort);
      const strict = await post(`http://127.0.0.1:${strictPort}`, `/stores/${STORE}/v3/hooks`, { scope: 'store/company/created', destination: 'http://127.0.0.1:9/hooks' }, { 'x-auth-token': 'demo-store-token-b2b' });
      expect(strict.status).toBe(422);
      expect(await strict.json()).toMatchObject({ errors: { destination: 'Destination must be an HTTPS URL served on port 443.' } });

      const receiver = await startWebhookReceiver();
      receivers.push(receiver);
      const port = await freePort();
      start(['--port', String(port), '--webhooks', 'record']);
      await waitForHealthy(port);
      const base = `http://127.0.0.1:${port}`;
      const hook = await post(base, `/stores/${STORE}/v3/hooks`, { scope: 'store/company/created', destination: receiver.url }, { 'x-auth-token': 'demo-store-token-b2b' });
      expect(hook.status).toBe(200);
      const company = await post(base, '/api/v3/io/companies', COMPANY, { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': STORE });
      expect(company.status, await company.clone().text()).toBe(200);
      const drained = await post(base, '/_roster/webhooks/drain', { timeoutMs: 10_000 }, {});
      expect(drained.status).toBe(200);
      const deliveries = (await (await fetch(`${base}/_roster/webhooks/deliveries`)).json()) as { deliveries: Json[] };
      expect(deliveries.deliveries.map((d) => [d.scope, d.destination, d.state])).toEqual([['store/company/created', receiver.url, 'recorded']]);
      expect(receiver.received).toEqual([]);
    });

    it('a bad flag value exits non-zero with one line naming the flag', async () => {
      for (const [args, message] of [
        [['--webhooks', 'loud'], /--webhooks must be send, record or off/],
        [['--webhook-timeout-ms', 'soon'], /--webhook-timeout-ms must be a whole number/],
      ] as const) {
        const p = start(['--port', String(await freePort()), ...args]);
        const { code } = await p.exited;
        expect(code).not.toBe(0);
        const lines = p.stderr().trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(message);
      }
    });
  });
});

describe.each(dialects)('webhook settings (webhooks.md §7.5) on %s', (dialect) => {
  const apps: TestApp[] = [];
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()?.close();
    while (receivers.length > 0) await receivers.pop()?.close();
  });
  const app = async (fixture: unknown, options: Partial<TestAppOptions> = {}) => {
    const t = await createTestApp({ dialect, fixture, now: NOW, ...options });
    apps.push(t);
    return t;
  };
  const receiver = async () => {
    const r = await startWebhookReceiver();
    receivers.push(r);
    return r;
  };

  /** A Company created through the Management API (fires store/company/created), then drained. */
  async function createCompanyAndDrain(t: TestApp): Promise<Json[]> {
    const created = await mgmt(t, 'POST', '/companies', { body: COMPANY });
    expect(created.status, created.raw).toBe(200);
    const drained = await t.app.inject({ method: 'POST', url: '/_roster/webhooks/drain', payload: { timeoutMs: 10_000 } });
    expect(drained.statusCode, drained.body).toBe(200);
    expect(drained.json().timedOut).toBe(false);
    const log = await t.app.inject({ method: 'GET', url: '/_roster/webhooks/deliveries' });
    expect(log.statusCode).toBe(200);
    return log.json().deliveries as Json[];
  }

  it('defaults without settings.webhooks; the fixture\'s keys reach the world; the flags override them key by key', async () => {
    expect((await app(managementFixture())).app.services.settings.webhooks).toEqual(DEFAULT_WEBHOOK_SETTINGS);
    const fromFixture = await app(fixtureWith({ mode: 'record', destinations: 'strict', timeoutMs: 1234 }));
    expect(fromFixture.app.services.settings.webhooks).toEqual({ ...DEFAULT_WEBHOOK_SETTINGS, mode: 'record', destinations: 'strict', timeoutMs: 1234 });
    const flagged = await app(fixtureWith({ mode: 'record', destinations: 'strict', timeoutMs: 1234 }), { webhooks: { timeoutMs: 500, concurrency: 2 } });
    expect(flagged.app.services.settings.webhooks).toEqual({ mode: 'record', destinations: 'strict', timeoutMs: 500, insecureTls: false, timestamp: 'clock', concurrency: 2 });

    // destinations: strict from the fixture applies to the registration API; a lenient flag lifts it
    const body = { scope: 'store/company/created', destination: 'http://127.0.0.1:9/hooks' };
    const refused = await fromFixture.app.inject({ method: 'POST', url: `/stores/${STORE}/v3/hooks`, headers: { 'x-auth-token': TOKENS.modify }, payload: body });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual({ destination: 'Destination must be an HTTPS URL served on port 443.' });
    const lenient = await app(fixtureWith({ destinations: 'strict' }), { webhooks: { destinations: 'lenient' } });
    const accepted = await lenient.app.inject({ method: 'POST', url: `/stores/${STORE}/v3/hooks`, headers: { 'x-auth-token': TOKENS.modify }, payload: body });
    expect(accepted.statusCode, accepted.body).toBe(200);
  });

  it('mode record from the fixture: the delivery is logged as recorded and nothing reaches the receiver', async () => {
    const rx = await receiver();
    const t = await app(fixtureWith({ mode: 'record' }, rx.url));
    const deliveries = await createCompanyAndDrain(t);
    expect(deliveries.map((d) => [d.webhookId, d.scope, d.destination, d.state])).toEqual([[1, 'store/company/created', rx.url, 'recorded']]);
    expect(deliveries[0]?.attempts.map((a: Json) => [a.n, a.outcome, a.httpStatus])).toEqual([[1, 'recorded', null]]);
    expect(rx.received).toEqual([]);
  });

  it('the flags win over the fixture: record by flag over the fixture\'s send, send by flag over the fixture\'s record', async () => {
    const quiet = await receiver();
    const recorded = await app(fixtureWith({ mode: 'send' }, quiet.url), { webhooks: { mode: 'record' } });
    expect((await createCompanyAndDrain(recorded)).map((d) => d.state)).toEqual(['recorded']);
    expect(quiet.received).toEqual([]);

    const loud = await receiver();
    const sent = await app(fixtureWith({ mode: 'record' }, loud.url), { webhooks: { mode: 'send' } });
    expect((await createCompanyAndDrain(sent)).map((d) => d.state)).toEqual(['succeeded']);
    expect(loud.received.map((r) => (r.json as Json).scope)).toEqual(['store/company/created']);
  });

  it('a fixture loaded at run time (POST /_roster/fixtures) brings its settings.webhooks, under the same flags; reset keeps them', async () => {
    const t = await app(managementFixture(), { webhooks: { timeoutMs: 700 } });
    expect(t.app.services.settings.webhooks).toEqual({ ...DEFAULT_WEBHOOK_SETTINGS, timeoutMs: 700 });
    const rx = await receiver();
    const loaded = await t.app.inject({ method: 'POST', url: '/_roster/fixtures', payload: fixtureWith({ mode: 'record', timeoutMs: 9000, concurrency: 3 }, rx.url) });
    expect(loaded.statusCode, loaded.body).toBe(200);
    expect(t.app.services.settings.webhooks).toEqual({ ...DEFAULT_WEBHOOK_SETTINGS, mode: 'record', timeoutMs: 700, concurrency: 3 });
    expect((await createCompanyAndDrain(t)).map((d) => d.state)).toEqual(['recorded']);
    expect(rx.received).toEqual([]);
    expect((await t.app.inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
    expect(t.app.services.settings.webhooks).toEqual({ ...DEFAULT_WEBHOOK_SETTINGS, mode: 'record', timeoutMs: 700, concurrency: 3 });
  });

  it('startRoster({ webhooks: { mode: "record" } }) over real HTTP: a fixture hook\'s delivery is recorded, the receiver gets nothing', async () => {
    const rx = await receiver();
    let roster: Roster | undefined;
    try {
      roster = await startRoster({
        fixture: fixtureWith(undefined, rx.url),
        ...(dialect === 'postgres' ? { database: postgresUrl } : {}),
        webhooks: { mode: 'record' },
      });
      const created = await fetch(`${roster.managementUrl}/companies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE },
        body: JSON.stringify(COMPANY),
      });
      expect(created.status, await created.clone().text()).toBe(200);
      const drained = await roster.webhooks.drain({ timeoutMs: 10_000 });
      expect(drained.timedOut).toBe(false);
      expect((await roster.webhooks.deliveries()).map((d) => [d.webhookId, d.scope, d.state])).toEqual([[1, 'store/company/created', 'recorded']]);
      expect(rx.received).toEqual([]);
    } finally {
      await roster?.close();
    }
  });
});
