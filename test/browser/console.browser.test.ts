import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningProcess, runRoster, waitForHealthy } from '../helpers/processes.js';

/**
 * The web console (/_roster/ui, issue #21) in a real browser (headless Chromium, the Debian package)
 * against real servers on loopback serving the demo world: each page shows what the APIs answer, an
 * action in the console changes what they answer, the request journal updates without a reload, and
 * the admin-token rule holds for the console and its data endpoints.
 */
const CHROMIUM = '/usr/bin/chromium';
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const STORE_HASH = 'f0qyczpkb2';
const B2B = { 'X-Auth-Token': 'demo-store-token-b2b', 'X-Store-Hash': STORE_HASH };
const ADMIN_TOKEN = 'console-test-admin-token';

let open: RunningProcess;
let guarded: RunningProcess;
let base: string;
let guardedBase: string;
let browser: Browser;

type Json = Record<string, unknown>;

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const admin = (method: string, path: string, body?: unknown) => call(method, `${base}/_roster${path}`, body);

async function accountUsersTotal(): Promise<number> {
  const res = await call('POST', `${base}/accounts/${ACCOUNT}/graphql`, { query: '{ account { users(first: 1) { collectionInfo { totalItems } } } }' }, { 'X-Auth-Token': 'demo-account-token-full' });
  return (res.body as { data: { account: { users: { collectionInfo: { totalItems: number } } } } }).data.account.users.collectionInfo.totalItems;
}

async function openConsole(hash: string, server = base): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${server}/_roster/ui${hash}`);
  return page;
}

/** A promise and what resolves it (a request held in the browser until the test lets it go). */
function latch(): { done: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open };
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  const [port, guardedPort] = [await freePort(), await freePort()];
  open = runRoster(['serve', '--port', String(port), '--database', 'sqlite::memory:']);
  guarded = runRoster(['serve', '--port', String(guardedPort), '--database', 'sqlite::memory:', '--admin-token', ADMIN_TOKEN]);
  await Promise.all([waitForHealthy(port), waitForHealthy(guardedPort)]);
  base = `http://127.0.0.1:${port}`;
  guardedBase = `http://127.0.0.1:${guardedPort}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of [open, guarded]) server?.kill('SIGTERM');
  await Promise.all([open?.exited, guarded?.exited]);
});

describe('the console on a loopback demo server, in Chromium', () => {
  it('Overview: totals, per-tenant counts, forks and quotas equal the APIs; Freeze and Advance move the clock the APIs read', async () => {
    await call('POST', `${base}/accounts/${ACCOUNT}/graphql`, { query: '{ account { id } }' }, { 'X-Auth-Token': 'demo-account-token-full' });
    const fork = (await admin('POST', '/forks')).body;
    // read before the page opens: the Account API call counts against the quota the page shows
    const usersTotal = await accountUsersTotal();
    const page = await openConsole('#/overview');
    await page.locator('[data-testid="clock-now"]').waitFor();

    const summary = (await admin('GET', '/tenants/summary')).body as { totals: Record<string, number> };
    for (const [key, value] of Object.entries(summary.totals)) expect(await text(page, `[data-testid="total-${key}"]`), key).toBe(value.toLocaleString('en'));
    // the account's user count is the Account API's totalItems
    const row = page.locator('[data-testid="account-count-row"]', { hasText: ACCOUNT });
    expect(await row.locator('td').nth(2).textContent()).toBe(String(usersTotal));
    // the fork with its base URL
    expect(await page.locator('[data-testid="fork-row"]', { hasText: String(fork.id) }).locator('td').nth(2).textContent()).toBe(fork.url);
    // the Account API bucket of the demo account: used as /_roster/rate-limits says
    const buckets = (await admin('GET', '/rate-limits')).body.buckets as { key: string; used: number; remaining: number }[];
    const bucket = buckets.find((b) => b.key === `account:${ACCOUNT}`);
    expect(bucket?.used).toBeGreaterThan(0);
    const bucketRow = page.locator(`[data-testid="bucket-row"][data-key="account:${ACCOUNT}"]`);
    expect(await bucketRow.locator('td').nth(1).textContent()).toBe(String(bucket?.used));
    expect(await bucketRow.locator('td').nth(3).textContent()).toBe(String(bucket?.remaining));

    // Freeze: the API's clock is frozen at the instant the page shows
    await page.getByRole('button', { name: 'Freeze' }).click();
    await expect.poll(() => text(page, '[data-testid="clock-mode"]')).toBe('frozen');
    const frozen = (await admin('GET', '/clock')).body as { now: string; epochMs: number; frozen: boolean };
    expect(frozen.frozen).toBe(true);
    expect(await text(page, '[data-testid="clock-now"]')).toBe(frozen.now);
    // Advance by 90 s
    await page.getByLabel('Advance by (ms)').fill('90000');
    await page.getByRole('button', { name: 'Advance' }).click();
    const advanced = new Date(frozen.epochMs + 90_000).toISOString();
    await expect.poll(() => text(page, '[data-testid="clock-now"]')).toBe(advanced);
    expect((await admin('GET', '/clock')).body.now).toBe(advanced);
    // back to real time
    await page.getByRole('button', { name: 'Back to real time' }).click();
    await expect.poll(() => text(page, '[data-testid="clock-mode"]')).toBe('real time');
    expect((await admin('GET', '/clock')).body.frozen).toBe(false);
    await admin('DELETE', `/forks/${String(fork.id)}`);
    await page.close();
  });

  it('Requests: a request sent while the page is open appears without a reload; filters and the detail match the journal', async () => {
    const page = await openConsole('#/requests');
    await page.locator('[data-testid="requests-body"]').waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const sent = await call('GET', `${base}/api/v3/io/users/124`, undefined, B2B);
    expect(sent.status).toBe(200);
    const journal = (await admin('GET', '/requests?api=b2b-management')).body.requests as Json[];
    const entry = journal[journal.length - 1] as Json;
    expect(entry.url).toBe('/api/v3/io/users/124');
    const row = page.locator(`[data-testid="request-row"][data-seq="${String(entry.seq)}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await row.locator('td').nth(4).textContent()).toBe(String(entry.status));
    // opening the row shows the journal's (redacted) request and response
    await row.click();
    const detail = (await page.locator('pre').allTextContents()).map((t) => JSON.parse(t) as unknown);
    expect(detail).toEqual([entry.request, entry.response]);
    expect(JSON.stringify(detail)).toContain('[redacted]');
    expect(JSON.stringify(detail)).not.toContain('demo-store-token-b2b');

    // filter by API and status: the rows are the journal's for the same filter
    await call('POST', `${base}/accounts/${ACCOUNT}/graphql`, { query: '{ account { id } }' }, { 'X-Auth-Token': 'demo-account-token-full' });
    await call('GET', `${base}/api/v3/io/users/999999`, undefined, B2B);
    await page.getByLabel('API').selectOption('b2b-management');
    await page.getByLabel('Status').fill('4xx');
    await page.getByRole('button', { name: 'Apply' }).click();
    const filtered = (await admin('GET', '/requests?api=b2b-management&status=4xx')).body.requests as Json[];
    expect(filtered.length).toBeGreaterThan(0);
    await expect.poll(async () => (await page.locator('[data-testid="request-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))).sort((a, b) => a - b)).toEqual(filtered.map((r) => r.seq));
    await page.close();
  });

  it('Events: a change appears with its before/after as the API reports it', async () => {
    const put = await call('PUT', `${base}/api/v3/io/users/124`, { firstName: 'Pierre-Console' }, B2B);
    expect(put.status).toBe(200);
    const events = (await admin('GET', '/events?type=company.user.updated')).body.events as { seq: number; type: string; before: Json; after: Json }[];
    const event = events[events.length - 1];
    expect(event?.after.firstName).toBe('Pierre-Console');
    const page = await openConsole('#/events');
    const row = page.locator('[data-testid="event-row"]', { hasText: 'company.user.updated' }).first();
    await row.click();
    const changed = await page.locator('[data-testid="diff-changed"]').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    const expected = Object.keys(event?.after ?? {})
      .filter((k) => JSON.stringify(event?.before[k]) !== JSON.stringify(event?.after[k]))
      .map((k) => [k, JSON.stringify(event?.before[k]), JSON.stringify(event?.after[k])]);
    expect(changed).toEqual(expected);
    expect(changed).toContainEqual(['firstName', JSON.stringify(event?.before.firstName), '"Pierre-Console"']);
    await page.close();
  });

  it('Events: an Apply while a poll is on its way shows each event once, and only the new filter\'s', async () => {
    expect((await call('PUT', `${base}/api/v3/io/users/124`, { firstName: 'Pierre-Before' }, B2B)).status).toBe(200);
    const page = await openConsole('#/events');
    await page.locator('[data-testid="event-row"]').first().waitFor();
    // the next poll, under the old (empty) filter, is held in the browser until Apply has loaded under the new one
    const gate = latch();
    const held = latch();
    await page.route(/\/_roster\/events\?/, async (route) => {
      const url = new URL(route.request().url());
      if (!url.searchParams.has('type') && url.searchParams.has('since')) {
        held.open();
        await gate.done;
      }
      await route.continue();
    });
    await held.done;
    // one event the new filter shows, then one it does not: the held poll (sent after both) answers both
    expect((await call('PUT', `${base}/api/v3/io/users/124`, { firstName: 'Pierre-Apply' }, B2B)).status).toBe(200);
    const gql = (query: string, variables: Json) => call('POST', `${base}/accounts/${ACCOUNT}/graphql`, { query, variables }, { 'X-Auth-Token': 'demo-account-token-full' });
    const added = await gql('mutation ($storeId: ID!) { user { addUserToStore(input: { user: { id: "bc/account/user/1002" }, storeId: $storeId }) { storeId } } }', { storeId: 'bc/account/store/1000002' });
    expect(added.body.errors).toBeUndefined();
    const type = 'company.user.updated';
    const shown = (await admin('GET', `/events?type=${type}`)).body.events as { seq: number }[];
    const all = (await admin('GET', '/events')).body.events as { seq: number; type: string }[];
    expect(all[all.length - 1]?.type).toBe('store.user.added');

    await page.getByLabel('Type or prefix').fill(type);
    await page.getByRole('button', { name: 'Apply' }).click();
    const seqs = () => page.locator('[data-testid="event-row"]').evaluateAll((rows) => rows.map((r) => Number(r.querySelector('td')?.textContent)));
    await expect.poll(async () => (await seqs()).sort((a, b) => a - b), { timeout: 10_000 }).toEqual(shown.map((e) => e.seq));
    gate.open();
    // the held poll has answered (the store.user.added event and the PUT's again) and two polls under the new filter ran: nothing was added
    await page.waitForTimeout(2_500);
    expect((await seqs()).sort((a, b) => a - b)).toEqual(shown.map((e) => e.seq));
    expect(await page.locator('[data-testid="event-row"]', { hasText: 'store.user.added' }).count()).toBe(0);

    // Apply again: its load is held until a poll under the same filter has loaded the same rows
    await page.unrouteAll();
    const applyGate = latch();
    const applyHeld = latch();
    let first = true;
    await page.route(/\/_roster\/events\?/, async (route) => {
      const url = new URL(route.request().url());
      if (first && url.searchParams.get('type') === type && !url.searchParams.has('since')) {
        first = false;
        applyHeld.open();
        await applyGate.done;
      }
      await route.continue();
    });
    await page.getByRole('button', { name: 'Apply' }).click();
    await applyHeld.done;
    await expect.poll(async () => (await seqs()).sort((a, b) => a - b), { timeout: 10_000 }).toEqual(shown.map((e) => e.seq));
    applyGate.open();
    await page.waitForTimeout(1_500);
    expect((await seqs()).sort((a, b) => a - b)).toEqual(shown.map((e) => e.seq));
    await page.close();
    const removed = await gql('mutation ($storeId: ID!, $userId: ID!) { user { removeUserFromStore(input: { storeId: $storeId, userId: $userId }) { storeId } } }', { storeId: 'bc/account/store/1000002', userId: 'bc/account/user/1002' });
    expect(removed.body.errors).toBeUndefined();
  });

  it('Faults: a rule added in the console makes the API fail; removing it in the console removes it', async () => {
    const page = await openConsole('#/faults');
    await page.getByRole('form', { name: 'Add a fault rule' }).waitFor();
    const form = page.getByRole('form', { name: 'Add a fault rule' });
    await form.getByLabel('API').selectOption('b2b-management');
    await form.getByLabel('Operation').fill('GET /api/v3/io/users/:userId');
    await form.getByLabel('Nth call').fill('1');
    await form.getByLabel('Status').fill('503');
    await form.getByRole('button', { name: 'Add fault' }).click();
    await page.locator('[data-testid="fault-row"]').waitFor();
    const faults = (await admin('GET', '/faults')).body.faults as { id: string; match: Json; effect: Json }[];
    expect(faults).toHaveLength(1);
    expect(faults[0]?.match).toEqual({ api: 'b2b-management', operation: 'GET /api/v3/io/users/:userId', nth: 1 });
    expect(faults[0]?.effect).toEqual({ status: 503 });
    expect((await call('GET', `${base}/api/v3/io/users/124`, undefined, B2B)).status).toBe(503);
    expect((await call('GET', `${base}/api/v3/io/users/124`, undefined, B2B)).status).toBe(200);
    await page.getByRole('button', { name: `Remove fault ${faults[0]?.id}` }).click();
    await expect.poll(() => page.locator('[data-testid="fault-row"]').count()).toBe(0);
    expect((await admin('GET', '/faults')).body.faults).toEqual([]);
    await page.close();
  });

  it('Snapshots and reset: take, restore (after a confirm) and delete in the console change what the APIs answer', async () => {
    const firstName = async () => ((await call('GET', `${base}/api/v3/io/users/125`, undefined, B2B)).body.data as { firstName: string }).firstName;
    const original = await firstName();
    const page = await openConsole('#/snapshots');
    await page.getByLabel('Snapshot name').fill('console-test');
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await page.locator('[data-testid="snapshot-row"][data-name="console-test"]').waitFor();
    expect(((await admin('GET', '/snapshots')).body.snapshots as { name: string }[]).map((s) => s.name)).toContain('console-test');

    await call('PUT', `${base}/api/v3/io/users/125`, { firstName: 'Changed-After-Snapshot' }, B2B);
    expect(await firstName()).toBe('Changed-After-Snapshot');
    await page.getByRole('button', { name: 'Restore snapshot console-test' }).click();
    await expect.poll(firstName).toBe(original);

    await page.getByRole('button', { name: 'Delete snapshot console-test' }).click();
    await expect.poll(() => page.locator('[data-testid="snapshot-row"]').count()).toBe(0);
    expect(((await admin('GET', '/snapshots')).body.snapshots as { name: string }[]).map((s) => s.name)).not.toContain('console-test');

    await call('PUT', `${base}/api/v3/io/users/125`, { firstName: 'Changed-Before-Reset' }, B2B);
    await page.getByRole('button', { name: 'Reset world' }).click();
    await expect.poll(firstName).not.toBe('Changed-Before-Reset');
    await page.close();
  });

  it('Webhook deliveries: the deliveries, their attempts and payload are the API\'s', async () => {
    const receiver: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const hook = await call('POST', `${base}/stores/${STORE_HASH}/v3/hooks`, { scope: 'store/company/user/*', destination: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks` }, B2B);
      expect(hook.status).toBe(200);
      await call('PUT', `${base}/api/v3/io/users/124`, { firstName: 'Hooked' }, B2B);
      await admin('POST', '/webhooks/drain', {});
      const deliveries = (await admin('GET', '/webhooks/deliveries')).body.deliveries as { id: string; state: string; payload: unknown; attempts: { httpStatus: number | null }[] }[];
      expect(deliveries.length).toBeGreaterThan(0);
      const page = await openConsole('#/webhooks');
      await page.locator('[data-testid="delivery-row"]').first().waitFor();
      expect(await page.locator('[data-testid="delivery-row"]').count()).toBe(deliveries.length);
      const first = deliveries[0];
      const row = page.locator('[data-testid="delivery-row"]', { hasText: String(first?.id) });
      expect(await row.locator('td').nth(3).textContent()).toBe(first?.state);
      await row.click();
      expect(await page.locator('[data-testid="attempt-row"]').count()).toBe(first?.attempts.length);
      expect(await page.locator('[data-testid="attempt-row"] td').nth(4).textContent()).toBe(String(first?.attempts[0]?.httpStatus));
      expect(JSON.parse((await page.locator('pre').last().textContent()) ?? '')).toEqual(first?.payload);
      // Redeliver, then Drain: a new delivery of the same payload, sent
      await page.getByRole('button', { name: 'Redeliver' }).click();
      await expect.poll(() => page.locator('[data-testid="delivery-row"]').count()).toBe(deliveries.length + 1);
      await page.getByRole('button', { name: 'Drain due attempts' }).click();
      const after = (await admin('GET', '/webhooks/deliveries')).body.deliveries as { id: string; state: string; payload: unknown }[];
      expect(after).toHaveLength(deliveries.length + 1);
      const copy = after.find((d) => !deliveries.some((o) => o.id === d.id));
      expect(copy?.payload).toEqual(first?.payload);
      await expect.poll(async () => ((await admin('GET', '/webhooks/deliveries')).body.deliveries as { id: string; state: string }[]).find((d) => d.id === copy?.id)?.state).toBe('succeeded');
      await page.close();
    } finally {
      receiver.close();
    }
  });

  it('Tenants: accounts → stores → users and B2B stores → companies → users, a user page and search, as the APIs say', async () => {
    const page = await openConsole('#/tenants');
    const accountRow = page.locator('[data-testid="account-row"]', { hasText: ACCOUNT });
    await accountRow.waitFor();
    const total = await accountUsersTotal();
    expect(await accountRow.locator('td').nth(2).textContent()).toBe(String(total));
    await accountRow.getByRole('link').click();
    await page.locator('[data-testid="account-user-row"]').first().waitFor();
    expect(await page.locator('[data-testid="account-user-row"]').count()).toBe(total);
    // a store: its users with permissions (as the store-users endpoint pages them)
    const storeRow = page.locator('[data-testid="store-row"]').first();
    const storeId = (await storeRow.locator('td').first().textContent()) ?? '';
    await storeRow.getByRole('link').click();
    await page.locator('[data-testid="store-user-row"]').first().waitFor();
    const storeUsers = (await admin('GET', `/tenants/stores/${storeId}/users`)).body.items as { email: string; permissions: string[] }[];
    expect(await page.locator('[data-testid="store-user-row"] td:nth-child(2)').allTextContents()).toEqual(storeUsers.map((u) => u.email));
    expect(await page.locator('[data-testid="store-user-row"] [data-testid="permissions"]').allTextContents()).toEqual(storeUsers.map((u) => u.permissions.join(', ')));
    expect(await page.locator('[data-testid="store-user-row"] summary').first().textContent()).toBe(`${storeUsers[0]?.permissions.length} permissions`);

    // B2B: the company's users are the Management API's for that company
    await page.goto(`${base}/_roster/ui#/tenants/b2b/${STORE_HASH}`);
    await page.locator('[data-testid="company-row"]').first().waitFor();
    const companyRow = page.locator('[data-testid="company-row"]', { hasText: '123457' });
    await companyRow.getByRole('link').click();
    await page.locator('[data-testid="company-user-row"]').first().waitFor();
    const mgmt = (await call('GET', `${base}/api/v3/io/users?companyId=123457`, undefined, B2B)).body as { data: { email: string; companyRoleName: string }[] };
    expect(await page.locator('[data-testid="company-user-row"] td:nth-child(2)').allTextContents()).toEqual(mgmt.data.map((u) => u.email));
    expect(await page.locator('[data-testid="company-user-row"] td:nth-child(4)').allTextContents()).toEqual(mgmt.data.map((u) => u.companyRoleName));

    // search by e-mail → the user page with the Account API's memberships
    await page.getByLabel('Search by e-mail or id').fill('JANE.DOE@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('[data-testid="search-user"]').waitFor();
    await page.locator('[data-testid="search-user"]').getByRole('link').click();
    await page.locator('[data-testid="membership-row"]').first().waitFor();
    const user = (await admin('GET', '/tenants/users/1001')).body as { memberships: { accountUuid: string }[] };
    expect(await page.locator('[data-testid="membership-row"] td:first-child').allTextContents()).toEqual(user.memberships.map((m) => m.accountUuid));
    expect(user.memberships.map((m) => m.accountUuid)).toContain(ACCOUNT);

    // a user added through the Account API: their page lists that request and the event, as the journal has them
    const added = await call('POST', `${base}/accounts/${ACCOUNT}/graphql`, { query: 'mutation { account { addUserToAccount(input: { email: "console.user@example.com" }) { account { id } } } }' }, { 'X-Auth-Token': 'demo-account-token-full' });
    expect(added.status).toBe(200);
    const found = (await admin('GET', '/tenants/search?q=console.user%40example.com')).body as { users: { id: number }[] };
    const newId = found.users[0]?.id;
    const addedEvents = ((await admin('GET', '/events?type=account.user.added')).body.events as { seq: number; subject: { userId: number } }[]).filter((e) => e.subject.userId === newId);
    expect(addedEvents).toHaveLength(1);
    const addRequest = ((await admin('GET', '/requests?api=account-graphql')).body.requests as { seq: number; request: unknown }[]).filter((r) => JSON.stringify(r.request).includes('console.user@example.com'));
    expect(addRequest).toHaveLength(1);
    await page.goto(`${base}/_roster/ui#/tenants/user/${newId}`);
    await page.locator('[data-testid="user-event-row"]').first().waitFor();
    expect(await page.locator('[data-testid="user-request-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))).toEqual(addRequest.map((r) => r.seq));
    expect(await page.locator('[data-testid="user-event-row"] td:first-child').allTextContents()).toEqual(addedEvents.map((e) => String(e.seq)));

    // a company user's page: company and role as the Management API says, and the B2B requests on their path
    const pierre = (await call('GET', `${base}/api/v3/io/users/124`, undefined, B2B)).body.data as { companyRoleName: string; customerId: number };
    const onPath = ((await admin('GET', '/requests?limit=10000')).body.requests as { seq: number; api: string; url: string }[]).filter((r) => r.api.startsWith('b2b') && /\/users\/124(?![0-9])/.test(r.url));
    expect(onPath.length).toBeGreaterThan(1);
    await page.goto(`${base}/_roster/ui#/tenants/company/${STORE_HASH}/123456`);
    await page.locator('[data-testid="company-user-row"]', { hasText: 'p.curie@greatbuys.com' }).getByRole('link').click();
    await page.locator('[data-testid="company-user-detail"]').waitFor();
    const cells = await page.locator('[data-testid="company-user-detail"] td').allTextContents();
    expect(cells[2]).toBe(pierre.companyRoleName);
    expect(cells[3]).toBe(String(pierre.customerId));
    const shown = await page.locator('[data-testid="user-request-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    expect(shown).toEqual(onPath.map((r) => r.seq).reverse().slice(0, 50));
    await page.close();
  });
});

describe('the console is usable by keyboard, on a narrow window and on a fork', () => {
  it('a request row opens with Tab and Enter; every control of the Faults form has a label', async () => {
    await call('GET', `${base}/api/v3/io/users/124`, undefined, B2B);
    const page = await openConsole('#/requests');
    await page.locator('[data-testid="request-row"]').first().waitFor();
    await page.locator('[data-testid="request-row"]').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('pre').first().waitFor();
    expect(await page.locator('[data-testid="request-row"].selected').count()).toBe(1);
    await page.goto(`${base}/_roster/ui#/faults`);
    const form = page.getByRole('form', { name: 'Add a fault rule' });
    await form.waitFor();
    const unlabelled = await form.locator('input, select').evaluateAll((inputs) => inputs.filter((i) => i.closest('label') === null && !i.getAttribute('aria-label')).length);
    expect(unlabelled).toBe(0);
    await page.close();
  });

  it('no page overflows the window sideways at 420 px or at 1280 px', async () => {
    for (const width of [420, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      for (const [hash, ready] of [
        ['#/overview', '[data-testid="clock-now"]'],
        ['#/tenants', '[data-testid="account-row"]'],
        ['#/requests', '[data-testid="requests-body"]'],
        ['#/events', '[data-testid="events-body"]'],
        ['#/faults', 'form'],
        ['#/snapshots', 'form'],
        ['#/webhooks', 'h2'],
      ] as const) {
        await page.goto(`${base}/_roster/ui${hash}`);
        await page.locator(ready).first().waitFor();
        const overflow = await page.evaluate(() => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return d.scrollWidth - d.clientWidth;
        });
        expect(overflow, `${hash} at ${width} px`).toBeLessThanOrEqual(0);
      }
      await page.close();
    }
  });

  it('the World menu switches the pages to a fork: its journal, not the main world\'s', async () => {
    const fork = (await admin('POST', '/forks')).body as { id: string; url: string };
    const sent = await call('GET', `${fork.url}/api/v3/io/users/126`, undefined, B2B);
    expect(sent.status).toBe(200);
    const forkJournal = (await call('GET', `${base}/f/${fork.id}/_roster/requests`)).body.requests as { seq: number; url: string }[];
    expect(forkJournal.map((r) => r.url)).toEqual(['/api/v3/io/users/126']);
    const page = await openConsole('#/requests');
    await page.locator('[data-testid="request-row"]').first().waitFor();
    await page.getByLabel('World').selectOption(fork.id);
    await expect.poll(() => page.locator('[data-testid="request-row"]').count()).toBe(1);
    expect(await page.locator('[data-testid="request-row"] td').nth(3).textContent()).toBe('GET /api/v3/io/users/:userId');
    await admin('DELETE', `/forks/${fork.id}`);
    await page.close();
  });
});

describe('the admin-token rule for the console', () => {
  it('the shell is served without secrets; its data endpoints refuse without the token; the page asks for it once and keeps it out of the URL', async () => {
    const shell = await fetch(`${guardedBase}/_roster/ui`);
    expect(shell.status).toBe(200);
    expect(await shell.text()).not.toContain(ADMIN_TOKEN);
    for (const path of ['/tenants/summary', '/tenants/accounts', '/requests', '/faults', '/clock']) {
      expect((await call('GET', `${guardedBase}/_roster${path}`)).status, path).toBe(401);
      expect((await call('GET', `${guardedBase}/_roster${path}`, undefined, { authorization: 'Bearer wrong' })).status, path).toBe(401);
    }
    expect((await call('POST', `${guardedBase}/_roster/clock`, { advanceMs: 1000 })).status).toBe(401);

    const page = await openConsole('#/overview', guardedBase);
    const prompt = page.getByRole('textbox', { name: 'Admin token' });
    await prompt.waitFor();
    expect(await page.locator('[data-testid="clock-now"]').count()).toBe(0);
    await prompt.fill('wrong-token');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That token was refused.').waitFor();
    await page.getByRole('textbox', { name: 'Admin token' }).fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('[data-testid="total-users"]').waitFor();
    const summary = await call('GET', `${guardedBase}/_roster/tenants/summary`, undefined, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(summary.status).toBe(200);
    expect(await text(page, '[data-testid="total-users"]')).toBe(String((summary.body.totals as { users: number }).users));
    // kept for the tab: another page of the console needs no second prompt
    await page.getByRole('link', { name: 'Faults' }).click();
    await page.getByRole('form', { name: 'Add a fault rule' }).waitFor();
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('roster.adminToken'))).toBe(ADMIN_TOKEN);
    // a new tab (a new session) asks again
    const other = await openConsole('#/overview', guardedBase);
    await other.getByRole('textbox', { name: 'Admin token' }).waitFor();
    await other.close();
    await page.close();
  });
});
