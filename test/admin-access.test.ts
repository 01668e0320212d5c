import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdminAuthorized, isLoopbackHost, resolveAdminAccess } from '../src/emulator/admin-access.js';
import type { TestApp } from './helpers/test-app.js';
import { freePort, runRoster, waitForHealthy } from './helpers/processes.js';
import { ACCOUNT_TOKEN, adminB2bToken, createAdminTestApp, type Inject, injector } from './admin-support.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123';

describe('who may use the emulator controls', () => {
  it('is on by default on loopback only, and needs the admin token whenever one is set', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '::ffff:10.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
    expect(resolveAdminAccess({ host: '127.0.0.1' })).toEqual({ enabled: true, token: undefined });
    expect(resolveAdminAccess({ host: '0.0.0.0' })).toMatchObject({ enabled: false });
    expect(resolveAdminAccess({ host: '0.0.0.0', adminToken: ADMIN_TOKEN })).toEqual({ enabled: true, token: ADMIN_TOKEN });
    expect(resolveAdminAccess({ host: '127.0.0.1', adminToken: ADMIN_TOKEN })).toEqual({ enabled: true, token: ADMIN_TOKEN });
    const access = { enabled: true, token: ADMIN_TOKEN };
    expect(isAdminAuthorized(access, `Bearer ${ADMIN_TOKEN}`)).toBe(true);
    expect(isAdminAuthorized(access, `bearer  ${ADMIN_TOKEN} `)).toBe(true);
    for (const header of [undefined, '', 'Bearer', `Bearer ${ADMIN_TOKEN}x`, ADMIN_TOKEN, `Basic ${ADMIN_TOKEN}`]) {
      expect(isAdminAuthorized(access, header), String(header)).toBe(false);
    }
    expect(isAdminAuthorized({ enabled: false, token: undefined }, `Bearer ${ADMIN_TOKEN}`)).toBe(false);
  });

  describe('on a non-loopback host without an admin token', () => {
    let t: TestApp;
    let inject: Inject;
    beforeAll(async () => {
      t = await createAdminTestApp('sqlite', { admin: resolveAdminAccess({ host: '0.0.0.0' }) });
      inject = injector(t);
    });
    afterAll(async () => t.close());

    it('answers 404 for every admin path and fork prefix, and serves the APIs as usual', async () => {
      for (const [method, url] of [
        ['GET', '/_roster'],
        ['POST', '/_roster/reset'],
        ['POST', '/_roster/forks'],
        ['GET', '/_roster/requests'],
        ['GET', '/_roster/openapi.json'],
        ['GET', '/f/f1/healthz'],
      ] as const) {
        const res = await inject({ method, url });
        expect(res.statusCode, url).toBe(404);
        expect(res.json().code, url).toBe(404);
      }
      expect((await inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });

  describe('with an admin token', () => {
    let t: TestApp;
    let inject: Inject;
    beforeAll(async () => {
      t = await createAdminTestApp('sqlite', { admin: resolveAdminAccess({ host: '0.0.0.0', adminToken: ADMIN_TOKEN }) });
      inject = injector(t);
    });
    afterAll(async () => t.close());

    it('refuses requests without it, and BigCommerce credentials never open it', async () => {
      const b2bToken = await adminB2bToken(inject);
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong-token-0123456789' },
        { 'x-auth-token': ACCOUNT_TOKEN },
        { authorization: `Bearer ${ACCOUNT_TOKEN}` },
        { authorization: `Bearer ${b2bToken}` },
        { authtoken: b2bToken },
        { 'x-auth-token': ADMIN_TOKEN },
      ];
      for (const headers of attempts) {
        const res = await inject({ method: 'POST', url: '/_roster/reset', headers });
        expect(res.statusCode, JSON.stringify(headers)).toBe(401);
        expect(res.json()).toEqual({ error: { code: 'ADMIN_UNAUTHORIZED', message: 'The admin API needs Authorization: Bearer <admin token>' } });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="roster-admin"');
      }
      const ok = await inject({ method: 'GET', url: '/_roster/clock', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(ok.statusCode).toBe(200);

      // forks: their admin paths need the token, their APIs do not
      const fork = await inject({ method: 'POST', url: '/_roster/forks', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(fork.statusCode).toBe(201);
      const id = fork.json().id;
      expect((await inject({ method: 'GET', url: `/f/${id}/_roster/requests` })).statusCode).toBe(401);
      expect((await inject({ method: 'GET', url: `/f/${id}/_roster/requests`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).statusCode).toBe(200);
      expect((await inject({ method: 'GET', url: `/f/${id}/healthz` })).statusCode).toBe(200);
      expect((await adminB2bToken(inject, `/f/${id}`)).length).toBeGreaterThan(20);
    });
  });

  describe('the roster CLI', () => {
    it('serves the controls off loopback only with --admin-token, and drives them with reset/snapshot/clock/fork', async () => {
      // without a token on 0.0.0.0: off
      const port1 = await freePort();
      const open = runRoster(['serve', '--host', '0.0.0.0', '--port', String(port1), '--database', 'sqlite::memory:']);
      try {
        await waitForHealthy(port1);
        expect((await fetch(`http://127.0.0.1:${port1}/_roster`)).status).toBe(404);
        expect(open.output()).toMatch(/emulator controls: +off \(listening on 0\.0\.0\.0 \(not loopback\) without --admin-token\)/);
      } finally {
        open.kill('SIGTERM');
        await open.exited;
      }

      const port = await freePort();
      const server = runRoster(['serve', '--host', '0.0.0.0', '--port', String(port), '--database', 'sqlite::memory:', '--admin-token', ADMIN_TOKEN, '--deterministic']);
      try {
        await waitForHealthy(port);
        const url = `http://127.0.0.1:${port}`;
        expect((await fetch(`${url}/_roster`)).status).toBe(401);
        expect((await fetch(`${url}/_roster`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);

        const cli = async (...args: string[]) => {
          const run = runRoster([...args, '--url', url], { ROSTER_ADMIN_TOKEN: ADMIN_TOKEN });
          const { code } = await run.exited;
          return { code, out: run.output().trim(), err: run.stderr().trim() };
        };
        // each command starts a Node process: run the independent ones side by side
        const [advanced, snapshot, fork, missing, wrongToken] = await Promise.all([
          cli('clock', 'advance', '2h'),
          cli('snapshot', 'before'),
          cli('fork'),
          cli('snapshot', 'missing', '--restore'),
          (async () => {
            const run = runRoster(['reset', '--url', url, '--admin-token', 'not-the-token-1234']);
            const { code } = await run.exited;
            return { code, err: run.stderr().trim() };
          })(),
        ]);
        expect(advanced).toEqual({ code: 0, out: 'clock: 2025-01-01T02:00:00.000Z (frozen)', err: '' });
        expect(snapshot.out).toBe('took snapshot before');
        expect(fork.out).toBe(`${url}/f/f1`);
        expect(missing).toEqual({ code: 1, out: '', err: 'roster: POST /snapshots/missing/restore: 404 No snapshot named "missing"' });
        expect(wrongToken.code).toBe(1);
        expect(wrongToken.err).toMatch(/401 The admin API needs Authorization/);
        // the client options work before the subcommand too (`roster --url URL reset`)
        const optionsFirst = async (...args: string[]) => {
          const run = runRoster(['--url', url, ...args], { ROSTER_ADMIN_TOKEN: ADMIN_TOKEN });
          const { code } = await run.exited;
          return { code, out: run.output().trim() };
        };
        const before = await optionsFirst('--json', 'clock');
        expect(before.code).toBe(0);
        expect(JSON.parse(before.out)).toEqual({ now: '2025-01-01T02:00:00.000Z', epochMs: Date.UTC(2025, 0, 1, 2), frozen: true });
        const [reset, forkReset] = await Promise.all([cli('reset', '--all'), optionsFirst('--fork', 'f1', 'reset')]);
        expect(reset.out).toBe('main: reset (data, rateLimitCounters, faults, requests, events, rateLimitOverrides)');
        expect(forkReset).toEqual({ code: 0, out: 'f1: reset (data, rateLimitCounters)' });
        const snapshots = (await (await fetch(`${url}/_roster/snapshots`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { snapshots: { name: string }[] };
        expect(snapshots.snapshots.map((x) => x.name)).toEqual(['before']);
      } finally {
        server.kill('SIGTERM');
        await server.exited;
      }
    }, 60_000);
  });
});
