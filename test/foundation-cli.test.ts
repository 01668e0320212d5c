import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dropPgSchema } from './helpers/dialects.js';
import { freePort, type RunningProcess, runRoster, waitForHealthy } from './helpers/processes.js';
import { cloneDemo } from './helpers/test-app.js';

const dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
const demoPath = new URL('../fixtures/demo.json', import.meta.url).pathname;
const running: RunningProcess[] = [];
afterEach(() => {
  while (running.length > 0) running.pop()?.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  const p = runRoster(args, env);
  running.push(p);
  return p;
}

/** A failed start: non-zero exit, one clear line on stderr, no stack trace. */
async function expectCleanFailure(p: RunningProcess, mentions: string | RegExp): Promise<void> {
  const { code } = await p.exited;
  expect(code).not.toBe(0);
  const lines = p.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(p.stderr()).not.toMatch(/\n\s+at /);
}

function countUsers(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from users').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the roster CLI', () => {
  it('serves the demo fixture on an empty SQLite file, prints base URLs and demo tokens, stops cleanly on SIGTERM', async () => {
    const file = join(dir, 'demo.db');
    const port = await freePort();
    const p = start(['--port', String(port), '--database', `sqlite:${file}`]);
    await waitForHealthy(port);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(p.output()).toContain(`http://127.0.0.1:${port}/accounts/{account_uuid}/graphql`);
    expect(p.output()).toContain('X-Auth-Token: demo-account-token-full');
    expect(p.output()).toContain('X-Auth-Token: demo-store-token-b2b  X-Store-Hash: f0qyczpkb2  (B2B Management API /api/v3/io; store_b2b_edition)');
    expect(p.output()).toContain('authToken: demo-legacy-b2b-authtoken');
    p.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(countUsers(file)).toBe(4);

    // restarting without --seed serves what is stored, and does not load the demo again
    const port2 = await freePort();
    const again = start(['--port', String(port2), '--database', `sqlite:${file}`]);
    await waitForHealthy(port2);
    again.kill('SIGINT');
    expect((await again.exited).code).toBe(0);
    expect(countUsers(file)).toBe(4);
  });

  it('npm start runs in one node process (scripts/start.mjs): on a built checkout it serves at once, building nothing', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../scripts/start.mjs', import.meta.url)), '--port', String(port), '--database', 'sqlite::memory:'], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitForHealthy(port);
      expect(err).not.toContain('building');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('takes PORT from the environment', async () => {
    const port = await freePort();
    start(['--database', 'sqlite::memory:'], { PORT: String(port) });
    await waitForHealthy(port);
  });

  it('--seed loads into an empty database only; --reset wipes and loads', async () => {
    const file = join(dir, 'seeded.db');
    const small = cloneDemo<Record<string, unknown>>();
    delete small.b2b;
    (small.accounts as unknown[]).splice(1, 1);
    const smallPath = join(dir, 'small.json');
    writeFileSync(smallPath, JSON.stringify(small));

    const seeded = start(['seed', smallPath, '--database', `sqlite:${file}`]);
    expect((await seeded.exited).code).toBe(0);
    expect(seeded.output()).toContain('loaded');
    expect(countUsers(file)).toBe(3);

    const refused = start(['--port', String(await freePort()), '--database', `sqlite:${file}`, '--seed', demoPath]);
    await expectCleanFailure(refused, /already holds data.*--reset/);
    expect(countUsers(file)).toBe(3);

    const port = await freePort();
    const reset = start(['--port', String(port), '--database', `sqlite:${file}`, '--seed', demoPath, '--reset']);
    await waitForHealthy(port);
    reset.kill('SIGTERM');
    await reset.exited;
    expect(countUsers(file)).toBe(4);
  });

  it('drops SQLite plan samples (sqlite_stat4) of an analysed file, keeps sqlite_stat1, and serves it', async () => {
    // samples make every statement whose plan may depend on a bound value re-prepare at each new
    // value (db/database.ts withoutPlanSamples)
    const file = join(dir, 'analysed.db');
    const seeded = start(['seed', demoPath, '--database', `sqlite:${file}`]);
    expect((await seeded.exited).code).toBe(0);
    const analyse = new BetterSqlite3(file);
    analyse.exec('ANALYZE');
    const counts = (db: BetterSqlite3.Database) => ({
      stat1: (db.prepare('select count(*) as n from sqlite_stat1').get() as { n: number }).n,
      stat4: (db.prepare('select count(*) as n from sqlite_stat4').get() as { n: number }).n,
    });
    const before = counts(analyse);
    analyse.close();
    expect(before.stat1).toBeGreaterThan(0);
    expect(before.stat4).toBeGreaterThan(0);

    const port = await freePort();
    const p = start(['--port', String(port), '--database', `sqlite:${file}`]);
    await waitForHealthy(port);
    // the demo fixture's first account, whose full token this is
    const res = await fetch(`http://127.0.0.1:${port}/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-account-token-full' },
      body: JSON.stringify({ query: 'query { account { users(first: 50) { edges { node { email } } } } }' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { account?: { users: { edges: unknown[] } } } };
    expect(body.data?.account?.users.edges.length).toBeGreaterThan(0);
    p.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    const after = new BetterSqlite3(file, { readonly: true });
    try {
      expect(counts(after)).toEqual({ stat1: before.stat1, stat4: 0 });
    } finally {
      after.close();
    }
  });

  it('roster migrate works as a separate command', async () => {
    const file = join(dir, 'migrated.db');
    const up = start(['migrate', '--database', `sqlite:${file}`]);
    expect((await up.exited).code).toBe(0);
    expect(up.output()).toMatch(/applied 2026-11-29-0001-initial-schema/);
    const again = start(['migrate', '--database', `sqlite:${file}`]);
    expect((await again.exited).code).toBe(0);
    expect(again.output()).toContain('already up to date');
  });

  it('rejects an unparsable database URL with one clear line', async () => {
    await expectCleanFailure(start(['--database', 'mysql://localhost/x', '--port', String(await freePort())]), /Invalid database URL/);
  });

  it('rejects an unreadable fixture with one clear line', async () => {
    await expectCleanFailure(start(['--database', 'sqlite::memory:', '--seed', join(dir, 'missing.json')]), /Cannot read fixture .*missing\.json/);
  });

  it('rejects an invalid fixture naming the JSON path', async () => {
    const bad = cloneDemo<{ accounts: { ownerEmail: string }[] }>();
    (bad.accounts[0] as { ownerEmail: string }).ownerEmail = 'nobody@example.com';
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(bad));
    await expectCleanFailure(start(['--database', 'sqlite::memory:', '--seed', path]), /\$\.accounts\[0\]\.ownerEmail/);
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{ nope');
    await expectCleanFailure(start(['--database', 'sqlite::memory:', '--seed', notJson]), /not valid JSON/);
  });

  it('rejects a port in use and bad flag values with one clear line', async () => {
    const port = await freePort();
    start(['--port', String(port), '--database', 'sqlite::memory:']);
    await waitForHealthy(port);
    await expectCleanFailure(start(['--port', String(port), '--database', 'sqlite::memory:']), new RegExp(`port ${port} .*already in use`));
    await expectCleanFailure(start(['--port', 'abc', '--database', 'sqlite::memory:']), /--port must be a port number/);
    await expectCleanFailure(start(['--account-rate-limit', '70 per hour', '--database', 'sqlite::memory:']), /--account-rate-limit must be N\/MS/);
  });

  it('logs one readable line per request with --log-format pretty (a terminal\'s default), JSON records otherwise', async () => {
    const graphql = async (port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql`, {
        method: 'POST',
        headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query AccountName { account { accountInfo { name } } }' }),
      });
      expect(res.status).toBe(200);
    };
    const pretty = await freePort();
    const p = start(['--port', String(pretty), '--database', 'sqlite::memory:', '--log-format', 'pretty', '--log-level', 'info']);
    await waitForHealthy(pretty);
    await graphql(pretty);
    await fetch(`http://127.0.0.1:${pretty}/api/v2/users`);
    p.kill('SIGTERM');
    await p.exited;
    const lines = p.output().split('\n');
    expect(lines[0]).toMatch(/^Roster is serving /);
    expect(lines.some((l) => l.trimStart().startsWith('{'))).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d POST \/accounts\/61db983a-cd07-4d6b-8b59-a5ffe285ca6a\/graphql 200 [\d.]+ ms {2}AccountName$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d GET \/api\/v2\/users 401 [\d.]+ ms$/));
    expect(p.output()).not.toContain('demo-account-token-full"');

    const json = await freePort();
    const j = start(['--port', String(json), '--database', 'sqlite::memory:', '--log-level', 'info']);
    await waitForHealthy(json);
    await graphql(json);
    j.kill('SIGTERM');
    await j.exited;
    const records = j
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; operation?: string });
    expect(records).toContainEqual(expect.objectContaining({ msg: 'request completed', operation: 'AccountName' }));
    await expectCleanFailure(start(['--log-format', 'fancy', '--database', 'sqlite::memory:']), /--log-format must be pretty or json/);
  });

  it('refuses to start in production with the demo JWT secret', async () => {
    await expectCleanFailure(
      start(['--database', 'sqlite::memory:', '--port', String(await freePort())], { NODE_ENV: 'production' }),
      /production .*demo B2B JWT secret/,
    );
  });

  it.runIf(Boolean(process.env.ROSTER_TEST_POSTGRES_URL))('serves from PostgreSQL (own schema via ?schema=)', async () => {
    const schema = `cli_${Date.now().toString(36)}`;
    const url = `${process.env.ROSTER_TEST_POSTGRES_URL}?schema=${schema}`;
    const port = await freePort();
    const p = start(['--port', String(port), '--database', url, '--seed', demoPath]);
    try {
      await waitForHealthy(port);
      expect(p.output()).toContain('demo-account-token-full');
      p.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      await dropPgSchema(schema);
    }
  });
});
