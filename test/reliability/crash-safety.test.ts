import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresUrl } from '../helpers/dialects.js';
import { type Acknowledged, consistencyQueries, MANAGEMENT_HEADERS, signInMarie, startWriteLoad } from '../helpers/reliability-load.js';
import { freshPgSchema, type PgSchema, pgQuery, type RosterServer, startRoster, stopAll } from '../helpers/reliability-processes.js';
import { secretsIn } from '../helpers/reliability-secrets.js';

/**
 * Crash safety and graceful shutdown with real server processes (dist/main.js). Writers create
 * Account API members and B2B Company users (storefront REST and Management API) as fast as they can; the server is then killed with
 * SIGKILL (or stopped with SIGTERM) mid-load and started again on the same database. Every write
 * that had been acknowledged with a 2xx must be there, no write may be half done, the engine's own
 * integrity checks must pass and every maintained count must equal the real count.
 * SQLite runs always; PostgreSQL when ROSTER_TEST_POSTGRES_URL is set (a fresh schema, dropped after).
 */
const dir = mkdtempSync(join(tmpdir(), 'roster-crash-'));
const schemas: PgSchema[] = [];
afterEach(stopAll);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await s.drop();
});

const QUIET = ['--account-rate-limit', 'off', '--b2b-rate-limit', 'off'];

interface Target {
  name: string;
  url: string;
  /** rows of a query run directly against the stored data (the server may be stopped) */
  query(text: string): Promise<Record<string, unknown>[]>;
  /** engine-level integrity checks: empty when all is well */
  integrity(): Promise<string[]>;
}

function sqliteTarget(file: string): Target {
  const open = () => new BetterSqlite3(file, { readonly: true });
  return {
    name: 'SQLite',
    url: `sqlite:${file}`,
    async query(text) {
      const db = open();
      try {
        return db.prepare(text).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    async integrity() {
      const db = open();
      try {
        const problems: string[] = [];
        const check = db.pragma('integrity_check') as { integrity_check: string }[];
        if (check.length !== 1 || check[0]?.integrity_check !== 'ok') problems.push(`integrity_check: ${JSON.stringify(check)}`);
        const fk = db.pragma('foreign_key_check') as unknown[];
        if (fk.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`);
        return problems;
      } finally {
        db.close();
      }
    },
  };
}

function postgresTarget(schema: PgSchema): Target {
  return {
    name: 'PostgreSQL',
    url: schema.url,
    query: (text) => pgQuery(schema.schema, text),
    async integrity() {
      // every foreign key and unique constraint of the schema is still validated and enforced
      const rows = await pgQuery<{ conname: string; convalidated: boolean }>(
        schema.schema,
        `select conname, convalidated from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = $1 and contype in ('f', 'u', 'p')`,
        [schema.schema],
      );
      const problems = rows.filter((r) => !r.convalidated).map((r) => `constraint ${r.conname} not validated`);
      if (rows.length < 10) problems.push(`only ${rows.length} constraints found`);
      return problems;
    },
  };
}

async function expectConsistent(target: Target): Promise<void> {
  expect(await target.integrity()).toEqual([]);
  for (const [what, text] of Object.entries(consistencyQueries)) {
    expect(await target.query(text), what).toEqual([]);
  }
}

async function expectAllPresent(target: Target, server: RosterServer, acked: Acknowledged, token: string): Promise<void> {
  await expectStored(target, acked);
  await expectServed(server, acked, token);
}

/** Every acknowledged write is in the stored data. */
async function expectStored(target: Target, acked: Acknowledged): Promise<void> {
  const users = new Set((await target.query(`select email from users where email like '%@example.org'`)).map((r) => r.email));
  for (const email of acked.accountEmails) expect(users.has(email), `acknowledged Account write ${email}`).toBe(true);
  const companyUsers = new Set((await target.query(`select email from company_users where email like '%@example.org'`)).map((r) => r.email));
  for (const email of acked.b2bEmails) expect(companyUsers.has(email), `acknowledged B2B write ${email}`).toBe(true);
  for (const email of acked.managementEmails) expect(companyUsers.has(email), `acknowledged Management write ${email}`).toBe(true);
}

/** The restarted server serves them (the newest of each kind, looked up through each API). */
async function expectServed(server: RosterServer, acked: Acknowledged, token: string): Promise<void> {
  const last = acked.b2bEmails.at(-1);
  if (last) {
    const res = await fetch(`${server.base}/api/v2/users?q=${encodeURIComponent(last)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { data: { list: { email: string }[] } }).data.list.map((u) => u.email)).toEqual([last]);
  }
  const lastManaged = acked.managementEmails.at(-1);
  if (lastManaged) {
    const res = await fetch(`${server.base}/api/v3/io/users?email=${encodeURIComponent(lastManaged)}`, { headers: MANAGEMENT_HEADERS });
    expect(((await res.json()) as { data: { email: string }[] }).data.map((u) => u.email)).toEqual([lastManaged]);
  }
  const lastMember = acked.accountEmails.at(-1);
  if (lastMember) {
    const res = await fetch(`${server.base}/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql`, {
      method: 'POST',
      headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ account { users(filters: { email: "${lastMember}" }) { edges { node { email } } } } }` }),
    });
    expect(await res.json()).toEqual({ data: { account: { users: { edges: [{ node: { email: lastMember } }] } } } });
  }
}

function expectNoSecretsInLogs(server: RosterServer): void {
  // JSON log lines only: the start-up banner prints the demo tokens on purpose
  const lines = server.output().split('\n').filter((l) => l.startsWith('{'));
  const leaks = lines.flatMap((l) => secretsIn(l).map((s) => `${s.label}: ${l.slice(0, 200)}`));
  expect(leaks).toEqual([]);
}

const targets: (() => Target)[] = [() => sqliteTarget(join(dir, `crash-${Date.now()}.db`))];
if (postgresUrl) {
  targets.push(() => {
    const schema = freshPgSchema('crash');
    schemas.push(schema);
    return postgresTarget(schema);
  });
}

describe.each(targets.map((make) => [make().name, make] as const))('%s', (_name, make) => {
  it('SIGKILL mid-load loses no acknowledged write and leaves the database consistent', { timeout: 90_000 }, async () => {
    const target = make();
    const server = await startRoster(['--database', target.url, ...QUIET], { LOG_LEVEL: 'info' });
    const token = await signInMarie(server.base);
    const load = startWriteLoad(server.base, token, { tag: 'crash', workers: 8 });
    await load.reached(120);
    server.kill('SIGKILL');
    await server.exited;
    await load.done;
    expect(load.acknowledged.otherAnswers).toEqual([]);
    expect(load.acknowledged.managementEmails.length).toBeGreaterThan(0);
    expectNoSecretsInLogs(server);

    const again = await startRoster(['--database', target.url, ...QUIET], { LOG_LEVEL: 'info' });
    const token2 = await signInMarie(again.base);
    await expectAllPresent(target, again, load.acknowledged, token2);
    // the restarted server takes writes again
    const more = startWriteLoad(again.base, token2, { tag: 'after', workers: 2 });
    await more.reached(10);
    more.stop();
    await more.done;
    again.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
    await expectStored(target, more.acknowledged);
    await expectConsistent(target);
  });

  it('SIGTERM mid-load finishes in-flight requests, exits 0 and loses no acknowledged write', { timeout: 90_000 }, async () => {
    const target = make();
    const server = await startRoster(['--database', target.url, ...QUIET], { LOG_LEVEL: 'info' });
    const token = await signInMarie(server.base);
    const load = startWriteLoad(server.base, token, { tag: 'term', workers: 8 });
    await load.reached(120);
    server.kill('SIGTERM');
    const exit = await server.exited;
    await load.done;
    expect(exit).toEqual({ code: 0, signal: null });
    // while closing the server may only refuse new work with 503, never fail it
    for (const answer of load.acknowledged.otherAnswers) expect(answer).toMatch(/^503 /);
    expectNoSecretsInLogs(server);

    const again = await startRoster(['--database', target.url, ...QUIET]);
    await expectAllPresent(target, again, load.acknowledged, await signInMarie(again.base));
    again.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
    await expectConsistent(target);
  });
});
