#!/usr/bin/env node
// Screenshots of the web console (/_roster/ui) for the README: `npm run screenshots` (builds dist/ first when stale).
// Starts the demo world on a free loopback port, sends a little traffic (reads, a write, a webhook, a fault, a
// snapshot), then captures each page at 1280×800 (and the Requests page at 420 px wide) into docs/console/.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureBuilt } from './build-if-stale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
await ensureBuilt({ announce: true });
const out = `${root}docs/console`;
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const B2B = { 'X-Auth-Token': 'demo-store-token-b2b', 'X-Store-Hash': 'f0qyczpkb2' };

// a fixed port (and --deterministic, a fixed clock) so that regenerating gives the same pictures; any free port if taken
const port = await new Promise((resolve) => {
  const listen = (wanted) => {
    const s = createServer();
    s.once('error', () => listen(0));
    s.listen(wanted, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  };
  listen(39517);
});
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [`${root}dist/main.js`, 'serve', '--port', String(port), '--database', 'sqlite::memory:', '--deterministic', '--clock', '2026-12-07T09:00:00Z'], { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: 'inherit' });
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
}).listen(0, '127.0.0.1');

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const call = (method, path, body, headers = {}) => fetch(`${base}${path}`, { method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  await call('POST', '/_roster/snapshots', { name: 'before-test' });
  await call('POST', '/_roster/forks');
  await call('POST', '/stores/f0qyczpkb2/v3/hooks', { scope: 'store/company/user/*', destination: `http://127.0.0.1:${receiver.address().port}/hooks` }, B2B);
  const query = `{ account { users(first: 2) { edges { node { email } } collectionInfo { totalItems } } } }`;
  for (let i = 0; i < 3; i++) await call('POST', `/accounts/${ACCOUNT}/graphql`, { query }, { 'X-Auth-Token': 'demo-account-token-full' });
  await call('GET', '/api/v3/io/users?companyId=123457', undefined, B2B);
  await call('PUT', '/api/v3/io/users/124', { firstName: 'Pierre-Marie' }, B2B);
  await call('GET', '/api/v3/io/users/999999', undefined, B2B);
  await call('POST', '/_roster/webhooks/drain', {});
  await call('POST', '/_roster/faults', { match: { api: 'account-graphql', operation: 'users', nth: 3 }, effect: { status: 503 } });
  await call('POST', '/_roster/faults', { match: { api: 'b2b-management' }, effect: { latencyMs: 250 }, times: 5 });

  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const shots = [
    ['overview', '#/overview', '[data-testid="clock-now"]', null],
    ['tenants', '#/tenants', '[data-testid="account-row"]', null],
    ['tenants-store-users', '#/tenants/store/1000001', '[data-testid="store-user-row"]', null],
    ['tenants-company-users', '#/tenants/company/f0qyczpkb2/123456', '[data-testid="company-user-row"]', null],
    ['requests', '#/requests', '[data-testid="request-row"]', '[data-testid="request-row"]'],
    ['events', '#/events', '[data-testid="event-row"]', '[data-testid="event-row"]'],
    ['faults', '#/faults', '[data-testid="fault-row"]', null],
    ['snapshots', '#/snapshots', '[data-testid="snapshot-row"]', null],
    ['webhooks', '#/webhooks', '[data-testid="delivery-row"]', '[data-testid="delivery-row"]'],
  ];
  for (const [name, hash, ready, click] of shots) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/_roster/ui${hash}`);
    await page.locator(ready).first().waitFor();
    if (click) await page.locator(click).first().click();
    await page.screenshot({ path: `${out}/${name}.png` });
    await page.close();
  }
  const narrow = await browser.newPage({ viewport: { width: 420, height: 800 } });
  await narrow.goto(`${base}/_roster/ui#/requests`);
  await narrow.locator('[data-testid="request-row"]').first().waitFor();
  await narrow.screenshot({ path: `${out}/requests-narrow.png` });
  await browser.close();
  console.log(`screenshots written to ${out}`);
} finally {
  server.kill('SIGTERM');
  receiver.close();
}
