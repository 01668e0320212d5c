
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { consistencyViolations } from '../helpers/consistency.js';
import { dialects } from '../helpers/dialects.js';
import { COMPANIES, managementFixture, mgmt, STORE, USERS } from '../helpers/management-support.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp, rememberFixtureSecrets, rememberIssued } from '../helpers/reliability-secrets.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Concurrency: identical creates raced 50 at a time yield exactly one user and, for every other
 * request, the documented duplicate (B2B: 422) or idempotent (Account API: success) answer; adds
 * and removes raced on one membership end consistent, with every maintained `user_count` equal to
 * the real count. On PostgreSQL the requests really run in parallel (a pool of 5 connections).
 */
const ACCOUNT_URL = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';
const PARALLEL = 50;

async function count(database: Database, table: 'users' | 'company_users' | 'customers' | 'account_users' | 'store_users', where: [string, string | number][]): Promise<number> {
  let q = database.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  // dynamic column names over several tables
  for (const [column, value] of where) q = q.where(column as any, '=', value);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

describe.each(dialects)('concurrent writes on %s', (dialect) => {
  let t: TestApp;
  let tokens: { admin: string };
  // one world for the whole block: every test races on its own e-mails and members, and the
  // counter check covers the whole database each time
  beforeAll(async () => {
    t = await createLoggedTestApp({ dialect });
    tokens = { admin: await signInAs(t, 'm.curie@greatbuys.com') };
  });
  afterAll(async () => t.close());

  const account = (query: string) =>
    t.app.inject({ method: 'POST', url: ACCOUNT_URL, headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' }, payload: { query } });
  const rest = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.admin}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: payload as object } : {}) });
  const gql = (query: string) =>
    t.app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, payload: { query } });
  const parallel = <T>(make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: PARALLEL }, (_, i) => make(i)));

  it('50 identical addUserToAccount: all succeed (idempotent), one user, one membership', async () => {
    const answers = await parallel(() => account('mutation { account { addUserToAccount(input: { email: "race.account@example.org" }) { account { id } } } }'));
    for (const a of answers) {
      expect(a.statusCode).toBe(200);
      expect(a.json()).toEqual({ data: { account: { addUserToAccount: { account: { id: 'bc/account/account/61db983a-cd07-4d6b-8b59-a5ffe285ca6a' } } } } });
    }
    expect(await count(t.database, 'users', [['email_key', 'race.account@example.org']])).toBe(1);
    const user = await t.database.kysely.selectFrom('users').select('id').where('email_key', '=', 'race.account@example.org').executeTakeFirstOrThrow();
    expect(await count(t.database, 'account_users', [['user_id', user.id]])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 identical addUserToStore by e-mail for a new person: one user, one account and one store membership', async () => {
    const answers = await parallel(() =>
      account('mutation { user { addUserToStore(input: { user: { email: "race.store@example.org" }, storeId: "bc/account/store/k9d2mq7x1a" }) { storeId } } }'),
    );
    for (const a of answers) expect(a.json()).toEqual({ data: { user: { addUserToStore: { storeId: 'bc/account/store/k9d2mq7x1a' } } } });
    const user = await t.database.kysely.selectFrom('users').select('id').where('email_key', '=', 'race.store@example.org').execute();
    expect(user).toHaveLength(1);
    expect(await count(t.database, 'account_users', [['user_id', user[0]?.id as number]])).toBe(1);
    expect(await count(t.database, 'store_users', [['user_id', user[0]?.id as number]])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 identical POST /api/v2/users: one 200, 49 duplicate answers (422), one user and one customer', async () => {
    const body = { companyId: '123456', firstName: 'Race', lastName: 'Rest', email: 'race.rest@example.org', phoneNumber: '', role: '2' };
    const answers = await parallel(() => rest('POST', '/api/v2/users', body));
    const ok = answers.filter((a) => a.statusCode === 200);
    const duplicates = answers.filter((a) => a.statusCode === 422);
    expect(ok).toHaveLength(1);
    expect(duplicates).toHaveLength(PARALLEL - 1);
    for (const d of duplicates) expect(d.json()).toMatchObject({ code: 422, message: 'Processing data contains logical errors' });
    expect(await count(t.database, 'company_users', [['email_key', 'race.rest@example.org']])).toBe(1);
    expect(await count(t.database, 'customers', [['email_key', 'race.rest@example.org']])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 identical userCreate: one user, 49 errors with code 422', async () => {
    const answers = await parallel(() =>
      gql('mutation { userCreate(userData: { companyId: 123456, email: "race.gql@example.org", firstName: "Race", lastName: "Gql", companyRoleId: 2 }) { user { id email } } }'),
    );
    const bodies = answers.map((a) => a.json());
    expect(bodies.filter((b) => !('errors' in b))).toHaveLength(1);
    const refused = bodies.filter((b) => 'errors' in b);
    expect(refused).toHaveLength(PARALLEL - 1);
    const codes = [422];
    for (const b of refused) expect(codes).toContain(b.errors[0].extensions.code);
    expect(await count(t.database, 'company_users', [['email_key', 'race.gql@example.org']])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('REST and GraphQL creating the same e-mail at once: still one user', async () => {
    const answers = await parallel((i) =>
      i % 2 === 0
        ? rest('POST', '/api/v2/users', { companyId: '123456', firstName: 'Mixed', lastName: 'Race', email: 'race.mixed@example.org', phoneNumber: '', role: '1' })
        : gql('mutation { userCreate(userData: { companyId: 123456, email: "race.mixed@example.org", firstName: "Mixed", lastName: "Race", role: 1 }) { user { id } } }'),
    );
    const successes = answers.filter((a) => a.statusCode === 200 && !('errors' in a.json()) && a.json().code !== 422);
    expect(successes).toHaveLength(1);
    const codes = [422];
    for (const a of answers) {
      if (successes.includes(a)) continue;
      const body = a.json();
      expect(codes).toContain('errors' in body ? body.errors[0].extensions.code : body.code);
    }
    expect(await count(t.database, 'company_users', [['email_key', 'race.mixed@example.org']])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('two users changed to the same e-mail at once: only one of them gets it', async () => {
    const put = (id: number) => rest('PUT', `/api/v2/users/${id}`, { firstName: 'Same', lastName: 'Mail', email: 'race.same@example.org', phoneNumber: '', role: '2' });
    const answers = await parallel((i) => put(i % 2 === 0 ? 124 : 126));
    expect(answers.every((a) => a.statusCode === 200 || a.statusCode === 422)).toBe(true);
    expect(await count(t.database, 'company_users', [['email_key', 'race.same@example.org']])).toBe(1);
  });

  it('50 deletes of one user: one 200, the rest 404, counts consistent', async () => {
    const answers = await parallel(() => rest('DELETE', '/api/v2/users/125'));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 404)).toHaveLength(PARALLEL - 1);
    expect(await count(t.database, 'company_users', [['id', 125]])).toBe(0);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('racing deletes in a Company: each user deleted once, the last one kept', async () => {
    // Great Buys West has one user (127); its Admin adds three, then every user but the Admin is deleted twice at once
    const ids: number[] = [];
    const west = await signInAs(t, 'west.admin@greatbuys.com');
    for (const n of [1, 2, 3]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers: { authorization: `Bearer ${west}`, 'content-type': 'application/json' },
        payload: { companyId: '123457', firstName: 'West', lastName: `User ${n}`, email: `west.more.${n}@example.org`, phoneNumber: '', role: '0' },
      });
      expect(res.statusCode, res.body).toBe(200);
      ids.push(Number(res.json().data.userId));
    }
    const answers = await Promise.all(
      [...ids, ...ids, 127].map((id) => t.app.inject({ method: 'DELETE', url: `/api/v2/users/${id}`, headers: { authorization: `Bearer ${west}` } })),
    );
    // three deletions succeed once each; the Admin cannot delete itself; the doubles find nothing
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(3);
    expect(await count(t.database, 'company_users', [['company_id', 123457]])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('adds and removes raced on one store membership end consistent', async () => {
    const add = 'mutation { user { addUserToStore(input: { user: { email: "john.citizen@example.com" }, storeId: "bc/account/store/k9d2mq7x1a" }) { storeId } } }';
    const remove = 'mutation { user { removeUserFromStore(input: { storeId: "bc/account/store/k9d2mq7x1a", userId: "bc/account/user/1003" }) { storeId } } }';
    const answers = await parallel((i) => account(i % 2 === 0 ? add : remove));
    for (const a of answers) {
      expect(a.statusCode).toBe(200);
      const body = a.json();
      // nothing to remove, or the API's retryable "membership changed concurrently"
      if ('errors' in body) expect(['NOT_FOUND', 'CONFLICT']).toContain(body.errors[0].extensions.code);
    }
    expect(await count(t.database, 'store_users', [['store_id', 1000002], ['user_id', 1003]])).toBeLessThanOrEqual(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('adds and removes raced on one account membership end consistent (store memberships go with it)', async () => {
    const add = 'mutation { user { addUserToStore(input: { user: { email: "race.member@example.org" }, storeId: "bc/account/store/f0qyczpkb2" }) { storeId } } }';
    const remove = 'mutation { account { removeUserFromAccount(input: { email: "race.member@example.org" }) { userId } } }';
    const answers = await parallel((i) => account(i % 2 === 0 ? add : remove));
    for (const a of answers) {
      expect(a.statusCode).toBe(200);
      const body = a.json();
      if ('errors' in body) expect(['NOT_FOUND', 'CONFLICT']).toContain(body.errors[0].extensions.code);
    }
    expect(await count(t.database, 'users', [['email_key', 'race.member@example.org']])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('B2B creates and deletes raced in one Company keep user_count exact', async () => {
    const before = await count(t.database, 'company_users', [['company_id', 123456]]);
    const created = await parallel((i) => rest('POST', '/api/v2/users', { companyId: '123456', firstName: 'Bulk', lastName: `${i}`, email: `race.bulk.${i}@example.org`, phoneNumber: '', role: '2' }));
    expect(created.every((c) => c.statusCode === 200)).toBe(true);
    const ids = created.map((c) => Number(c.json().data.userId));
    const mixed = await Promise.all([
      ...ids.slice(0, 25).map((id) => rest('DELETE', `/api/v2/users/${id}`)),
      ...Array.from({ length: 25 }, (_, i) => rest('POST', '/api/v2/users', { companyId: '123456', firstName: 'More', lastName: `${i}`, email: `race.more.${i}@example.org`, phoneNumber: '', role: '1' })),
    ]);
    expect(mixed.every((m) => m.statusCode === 200)).toBe(true);
    expect(await count(t.database, 'company_users', [['company_id', 123456]])).toBe(before + 50);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('logged no secret in all of the above', () => {
    assertLogsFreeOfSecrets();
  });
});

// ------------------------------------------------------------------------------------------------
// The B2B Management API v3: the same races through /api/v3/io, and the hierarchy's rules
// (no cycle, at most 5 layers: b2b-management-rest.md §6.3) under concurrent re-parenting.

/** Three chains of two Companies (parent, child), top-level, without users: 950001→950002, 950003→950004, 950005→950006. */
const CHAINS = [
  [950_001, 950_002],
  [950_003, 950_004],
  [950_005, 950_006],
] as const;

function raceWorld(): Record<string, unknown> {
  const fixture = managementFixture() as { b2b: { stores: { storeHash: string; companies: Record<string, unknown>[] }[] } };
  const store = fixture.b2b.stores.find((x) => x.storeHash === STORE);
  for (const [parent, child] of CHAINS) {
    store?.companies.push({ id: parent, name: `Chain ${parent}`, status: 1, parentId: null, users: [] });
    store?.companies.push({ id: child, name: `Chain ${child}`, status: 1, parentId: parent, users: [] });
  }
  return fixture as unknown as Record<string, unknown>;
}

/** Every Company's chain of parents ends at a root within 5 layers: [] when the hierarchy is sound. */
async function hierarchyViolations(database: Database): Promise<string[]> {
  const rows = await database.kysely.selectFrom('companies').select(['id', 'parent_id']).where('store_hash', '=', STORE).execute();
  const parent = new Map(rows.map((r) => [Number(r.id), r.parent_id === null ? null : Number(r.parent_id)]));
  const out: string[] = [];
  for (const id of parent.keys()) {
    const seen = [id];
    for (let p = parent.get(id) ?? null; p !== null; p = parent.get(p) ?? null) {
      if (seen.includes(p)) {
        out.push(`a cycle through ${[...seen, p].join(' → ')}`);
        break;
      }
      seen.push(p);
    }
    if (seen.length > 5 && !out.some((o) => o.includes(String(id)))) out.push(`${id} is ${seen.length} layers deep: ${seen.join(' → ')}`);
  }
  return out;
}

describe.each(dialects)('concurrent Management API writes on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    const fixture = raceWorld();
    rememberFixtureSecrets(fixture);
    t = await createLoggedTestApp({ dialect, fixture });
  });
  afterAll(async () => t.close());
  const parallel = <T>(make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: PARALLEL }, (_, i) => make(i)));

  it('50 identical POST /api/v3/io/users: one 200, 49 "Email already exists", one user and one customer', async () => {
    const body = { firstName: 'Race', lastName: 'Mgmt', email: 'race.mgmt@example.org', companyId: COMPANIES.greatBuys.id, role: 2, channelIds: [1] };
    const answers = await parallel(() => mgmt(t, 'POST', '/users', { body }));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.body, a.raw).toEqual({ code: 422, meta: { message: 'Processing data contains logical errors' }, data: { errMsg: "Email already exists. ['race.mgmt@example.org']" } });
    }
    expect(await count(t.database, 'company_users', [['email_key', 'race.mgmt@example.org']])).toBe(1);
    expect(await count(t.database, 'customers', [['email_key', 'race.mgmt@example.org']])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 identical POST /api/v3/io/companies (one administrator e-mail): one Company, 49 "Email already exists"', async () => {
    const body = { companyName: 'Race Co', companyEmail: 'race.co@example.org', companyPhone: '5550100', country: 'US', adminFirstName: 'Race', adminLastName: 'Admin', adminEmail: 'race.co.admin@example.org' };
    const answers = await parallel(() => mgmt(t, 'POST', '/companies', { body }));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body, a.raw).toEqual({ code: 422, meta: { message: "Email already exists. ['race.co.admin@example.org']" }, data: {} });
    expect(await count(t.database, 'company_users', [['email_key', 'race.co.admin@example.org']])).toBe(1);
    const companies = await t.database.kysely.selectFrom('companies').select('id').where('name', '=', 'Race Co').execute();
    expect(companies).toHaveLength(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 bulk creates sharing one e-mail: one batch taken whole, the others refused whole', async () => {
    const answers = await parallel((i) =>
      mgmt(t, 'POST', '/users/bulk', {
        body: [
          { firstName: 'Bulk', lastName: `${i}`, email: `race.bulk.own.${i}@example.org`, companyId: COMPANIES.rival.id, role: 2, channelIds: [1] },
          { firstName: 'Bulk', lastName: 'Shared', email: 'race.bulk.shared@example.org', companyId: COMPANIES.rival.id, role: 2, channelIds: [1] },
        ],
      }),
    );
    const taken = answers.map((a, i) => [a, i] as const).filter(([a]) => a.status === 200);
    expect(taken).toHaveLength(1);
    // all or nothing: the refused batches' own users were not written either
    const own = await t.database.kysely.selectFrom('company_users').select('email').where('email', 'like', 'race.bulk.own.%').execute();
    expect(own.map((r) => r.email)).toEqual([`race.bulk.own.${taken[0]?.[1]}@example.org`]);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 DELETE /api/v3/io/users of one user: one 200, the rest 404; the last user of a Company is kept whatever the race', async () => {
    const answers = await parallel(() => mgmt(t, 'DELETE', `/users/${USERS.junior.id}`));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 404)).toHaveLength(PARALLEL - 1);
    // Rejected Goods has two users: both deleted at once, 25 times each, leaves exactly one
    const both = await parallel((i) => mgmt(t, 'DELETE', `/users/${i % 2 === 0 ? USERS.rejectedSenior.id : USERS.rejectedViewer.id}`));
    expect(both.filter((a) => a.status === 200)).toHaveLength(1);
    expect(both.every((a) => a.status === 200 || a.status === 404 || a.status === 422)).toBe(true);
    expect(await count(t.database, 'company_users', [['company_id', COMPANIES.rejected.id]])).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('two Companies attached under each other at once: never a cycle, and the hierarchy still answers (open bug on PostgreSQL)', async () => {
    const [a, b] = [CHAINS[0][0], CHAINS[1][0]];
    const answers = await parallel((i) => mgmt(t, 'POST', i % 2 === 0 ? `/companies/${a}/parent` : `/companies/${b}/parent`, { body: { parentCompanyId: i % 2 === 0 ? b : a } }));
    for (const x of answers) expect([201, 400], x.raw).toContain(x.status);
    expect(await hierarchyViolations(t.database)).toEqual([]);
    for (const id of [a, b]) {
      const res = await mgmt(t, 'GET', `/companies/${id}/hierarchy`);
      expect(res.status, res.raw).toBe(200);
    }
  });

  it('two re-parentings that each keep 5 layers, at once: the hierarchy never has 6 (open bug on PostgreSQL)', async () => {
    // 950003→950004 under 950006 (layers 3-4 of 950005's tree) and 950001→950002 under 950004: alone each fits, together 6 layers
    const [c, d] = CHAINS[1];
    const f = CHAINS[2][1];
    const [a] = CHAINS[0];
    // undo the previous test's moves first (each Company back on top, then its chain as built)
    for (const [parent, child] of CHAINS) {
      await t.database.kysely.updateTable('companies').set({ parent_id: null }).where('id', '=', parent).execute();
      await t.database.kysely.updateTable('companies').set({ parent_id: parent }).where('id', '=', child).execute();
    }
    expect(await hierarchyViolations(t.database)).toEqual([]);
    const answers = await parallel((i) => mgmt(t, 'POST', i % 2 === 0 ? `/companies/${c}/parent` : `/companies/${a}/parent`, { body: { parentCompanyId: i % 2 === 0 ? f : d } }));
    for (const x of answers) expect([201, 400], x.raw).toContain(x.status);
    expect(await hierarchyViolations(t.database)).toEqual([]);
  });

  it('logged no secret in all of the above', () => {
    assertLogsFreeOfSecrets();
  });
});

async function signInAs(t: TestApp, email: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/io/auth/customers',
    headers: { 'content-type': 'application/json' },
    payload: { storeHash: 'f0qyczpkb2', email, password: 'Passw0rd!', channelId: 1, name: 'race' },
  });
  if (res.statusCode !== 200) throw new Error(res.body);
  rememberIssued(`storefront token of ${email}`, res.json().data.token);
  return res.json().data.token;
}
