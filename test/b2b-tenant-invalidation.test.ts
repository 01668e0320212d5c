import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { postman } from './helpers/b2b-graphql-client.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { auth, demo, tokenFor } from './b2b-rest-helpers.js';
import { MEMBERSHIP_CHANGED } from '../src/domain/domain-events.js';

/**
 * Per-Company invalidation (issue #16): a write to one Company's users is seen at once by that
 * Company's lists and users on REST and GraphQL, while the other Companies' answers stay correct
 * (and, on SQLite, their read models stay in memory: db/tenant-ledger.ts,
 * domain/company-users/company-user-views.ts); a change from another connection is seen at once by
 * every Company, on both engines.
 */
const NOW = Date.parse('2026-12-07T09:00:00Z');
const A = demo.admin.companyId;
const B = demo.rival.companyId;

describe.each(dialects)('per-Company invalidation on %s', (dialect) => {
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, sqliteFile: true });
    tokenA = tokenFor(t, demo.admin);
    tokenB = tokenFor(t, demo.rival);
  });
  afterAll(async () => t.close());

  /** a write through the storefront REST API as the caller of `token` */
  const send = (method: 'POST' | 'PUT', url: string, token: string, payload: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: { ...auth(token), 'content-type': 'application/json' }, payload });
  /** what storage holds for a Company, newest first, as the list shows it */
  const truth = async (companyId: number) =>
    (await sql<{ id: number; first_name: string; last_name: string }>`SELECT id, first_name, last_name FROM company_users WHERE company_id = ${companyId} ORDER BY id DESC`.execute(t.database.kysely)).rows.map((r) => ({
      userId: Number(r.id),
      firstName: r.first_name,
      lastName: r.last_name,
    }));
  const restList = async (token: string, query = 'limit=50&offset=0') => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v2/users?${query}`, headers: auth(token) });
    expect(res.statusCode).toBe(200);
    const data = res.json().data as { list: { id: string; firstName: string; lastName: string }[]; pagination: { totalCount: number } };
    return { raw: res.body, total: data.pagination.totalCount, users: data.list.map((u) => ({ userId: Number(u.id), firstName: u.firstName, lastName: u.lastName })) };
  };
  const restUser = async (token: string, id: number) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v2/users/${id}`, headers: auth(token) });
    return { status: res.statusCode, firstName: res.statusCode === 200 ? (res.json().data.firstName as string) : undefined };
  };
  const gqlUsers = async (token: string, companyId: number) => {
    const res = await postman(t.app, token, `query { users(companyId: ${companyId}, first: 50) { totalCount edges { node { id firstName lastName } } } }`);
    expect(res.status).toBe(200);
    const data = (res.body as { data: { users: { totalCount: number; edges: { node: { id: string; firstName: string; lastName: string } }[] } } }).data.users;
    return data.edges.map((e) => ({ userId: Number(e.node.id), firstName: e.node.firstName, lastName: e.node.lastName }));
  };
  /** every read of both Companies equals storage */
  const allMatch = async (label: string) => {
    for (const [token, companyId] of [
      [tokenA, A],
      [tokenB, B],
    ] as const) {
      const expected = await truth(companyId);
      const list = await restList(token);
      expect(list.users, `${label}: REST list of ${companyId}`).toEqual(expected);
      expect(list.total, `${label}: REST total of ${companyId}`).toBe(expected.length);
      expect(await gqlUsers(token, companyId), `${label}: GraphQL users of ${companyId}`).toEqual(expected);
      for (const user of expected) expect((await restUser(token, user.userId)).firstName, `${label}: REST user ${user.userId}`).toBe(user.firstName);
      // a role filter and a deep offset on the same read model
      const admins = (await restList(token, 'role=0&limit=50&offset=0')).users.map((u) => u.userId);
      const adminIds = (await sql<{ id: number }>`SELECT id FROM company_users WHERE company_id = ${companyId} AND role = 0 ORDER BY id DESC`.execute(t.database.kysely)).rows.map((r) => Number(r.id));
      expect(admins, `${label}: admins of ${companyId}`).toEqual(adminIds);
      expect((await restList(token, 'limit=2&offset=1')).users, `${label}: page 2 of ${companyId}`).toEqual(expected.slice(1, 3));
    }
  };

  it('a write in one Company is seen at once there on REST and GraphQL; the other Company\'s answers stay as they were', async () => {
    await allMatch('start');
    const before = await restList(tokenB);

    // REST PUT in A
    const put = await send('PUT', `/api/v2/users/${demo.senior.id}`, tokenA, { firstName: 'Pierre-Tenant', lastName: 'Curie', email: demo.senior.email, phoneNumber: '', role: '1' });
    expect(put.statusCode).toBe(200);
    expect((await restUser(tokenA, demo.senior.id)).firstName).toBe('Pierre-Tenant');
    expect((await restList(tokenA)).users.find((u) => u.userId === demo.senior.id)?.firstName).toBe('Pierre-Tenant');
    expect((await gqlUsers(tokenA, A)).find((u) => u.userId === demo.senior.id)?.firstName).toBe('Pierre-Tenant');
    expect((await restList(tokenB)).raw).toBe(before.raw);
    await allMatch('after a REST write in A');

    // a REST create and a GraphQL update in B
    const created = await send('POST', '/api/v2/users', tokenB, { companyId: B, firstName: 'New', lastName: 'Rival', email: 'tenant.new@rival.example', phoneNumber: '', role: '2' });
    expect(created.statusCode).toBe(200);
    const newId = Number(created.json().data.userId);
    expect((await restList(tokenB)).users[0]).toEqual({ userId: newId, firstName: 'New', lastName: 'Rival' });
    const update = await postman(t.app, tokenB, `mutation { userUpdate(userData: { companyId: ${B}, userId: ${newId}, firstName: "Renamed" }) { user { id firstName } } }`);
    expect(update.status).toBe(200);
    expect((await restUser(tokenB, newId)).firstName).toBe('Renamed');
    await allMatch('after GraphQL writes in B');

    // a delete in B: gone from B's list, total and by id; A untouched
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v2/users/${newId}`, headers: auth(tokenB) });
    expect(del.statusCode).toBe(200);
    expect((await restUser(tokenB, newId)).status).toBe(404);
    await allMatch('after a delete in B');
  });

  it('a caller\'s own role changed by another user of its Company takes effect on its next request; other callers keep theirs', async () => {
    const created = await send('POST', '/api/v2/users', tokenA, { companyId: A, firstName: 'Second', lastName: 'Admin', email: 'second.admin@greatbuys.com', phoneNumber: '', role: '0' });
    expect(created.statusCode).toBe(200);
    const second = { id: Number(created.json().data.userId), bcId: Number(created.json().data.bcId), email: 'second.admin@greatbuys.com' };
    const tokenSecond = tokenFor(t, second);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(tokenSecond) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v2/users/${demo.senior.id}`, headers: auth(tokenSecond) })).statusCode).toBe(200);
    // the first Admin makes the second a Junior Buyer (no user permissions)
    const demote = await send('PUT', `/api/v2/users/${second.id}`, tokenA, { firstName: 'Second', lastName: 'Admin', email: second.email, phoneNumber: '', role: '2' });
    expect(demote.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(tokenSecond) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/v2/users/${demo.senior.id}`, headers: auth(tokenSecond) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(tokenA) })).statusCode).toBe(200);
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v2/users/${second.id}`, headers: auth(tokenA) });
    expect(removed.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(tokenSecond) })).statusCode).toBe(401);
    await allMatch('after the second Admin came and went');
  });

  it('a change from another connection is seen at once by every Company, users and principals alike', async () => {
    await allMatch('warm');
    const outside = await t.outside();
    await sql`UPDATE company_users SET first_name = 'Outside-A' WHERE id = ${demo.junior.id}`.execute(outside.kysely);
    await sql`UPDATE company_users SET last_name = 'Outside-B' WHERE id = ${demo.rival.id}`.execute(outside.kysely);
    expect((await restUser(tokenA, demo.junior.id)).firstName).toBe('Outside-A');
    expect((await restList(tokenB)).users.find((u) => u.userId === demo.rival.id)?.lastName).toBe('Outside-B');
    await allMatch('after outside writes');

    // a user deleted from outside (with the Company's maintained count, as Roster keeps it)
    await sql`DELETE FROM company_users WHERE id = ${demo.junior.id}`.execute(outside.kysely);
    await sql`UPDATE companies SET user_count = user_count - 1 WHERE id = ${A}`.execute(outside.kysely);
    expect((await restUser(tokenA, demo.junior.id)).status).toBe(404);
    await allMatch('after an outside delete');

    // the caller's own role changed from outside: its principal follows at once (a Junior Buyer may not list)
    await sql`UPDATE company_users SET role = 2, company_role_id = NULL WHERE id = ${demo.rival.id}`.execute(outside.kysely);
    const refused = await send('PUT', `/api/v2/users/${demo.rival.id}`, tokenB, { firstName: 'x', lastName: 'y', email: demo.rival.email, phoneNumber: '', role: '0' });
    expect(refused.statusCode).toBe(403);
    await sql`UPDATE company_users SET role = 0 WHERE id = ${demo.rival.id}`.execute(outside.kysely);
    expect((await restList(tokenB)).users.length).toBeGreaterThan(0);
  });
});

describe.each(dialects)('Company read models (domain) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, sqliteFile: true });
  });
  afterAll(async () => t.close());

  /**
   * `work` as one request that took its storage reading first, as every API request does (on
   * PostgreSQL the ledger can tell nothing before that reading, db/tenant-ledger.ts). One reading for
   * the whole test: what the ledger sees after it is this process's own writes, so the read models'
   * counts do not depend on other tests writing to the same PostgreSQL cluster meanwhile.
   */
  const inOneRequest = async (work: () => Promise<void>) => {
    const { runInRequest } = await import('../src/shared/request-scope.js');
    const { readStorageVersion } = await import('../src/db/storage-version.js');
    await runInRequest('test', async () => {
      await readStorageVersion(t.database);
      await work();
    });
  };

  it('a write in Company A re-reads only the users it touched; Company B keeps its view; anything unexplained reads both again', () => inOneRequest(async () => {
    const { createCompanyUserService } = await import('../src/domain/company-users/company-user-service.js');
    const { createCompanyUserViews } = await import('../src/domain/company-users/company-user-views.js');
    const views = createCompanyUserViews(t.database);
    const service = createCompanyUserService({ database: t.database, clock: t.clock, views });
    const admin = await t.app.services.b2bTokens.authenticate(tokenFor(t, demo.admin));
    const rival = await t.app.services.b2bTokens.authenticate(tokenFor(t, demo.rival));
    const ids = async (principal: typeof admin) => (await service.list(principal, { paging: { limit: 50, offset: 0 } })).items.map((u) => `${u.id}:${u.firstName}`);
    const expected = async (companyId: number) =>
      (await sql<{ id: number; first_name: string }>`SELECT id, first_name FROM company_users WHERE company_id = ${companyId} ORDER BY id DESC`.execute(t.database.kysely)).rows.map((r) => `${r.id}:${r.first_name}`);

    // a delivery row written before the views are read (raw SQL: not explained, so read first)
    await sql`INSERT INTO webhook_deliveries (id, webhook_id, store_hash, client_id, scope, destination, body, event_seq, request_id, state, attempt_count, first_due_at, next_due_at, lease_until, attempts, created_at, updated_at)
      VALUES ('warm-up', 1, 'f0qyczpkb2', 'c', 'store/company/user/updated', 'http://127.0.0.1:9/', '{}', 1, NULL, 'cancelled', 0, 0, 0, NULL, '[]', 0, 0)`.execute(t.database.kysely);
    expect(await ids(admin)).toEqual(await expected(A));
    expect(await ids(rival)).toEqual(await expected(B));
    expect(views.stats).toMatchObject({ loads: 2, patches: 0 });

    await service.update(admin, { userId: demo.senior.id }, { firstName: 'Patched' }, { mode: 'partial' });
    expect(await ids(rival)).toEqual(await expected(B));
    expect(views.stats).toMatchObject({ loads: 2, patches: 0 });
    expect(await ids(admin)).toEqual(await expected(A));
    expect(await ids(admin)).toContain(`${demo.senior.id}:Patched`);
    expect(views.stats).toMatchObject({ loads: 2, patches: 1 });
    expect((await service.get(admin, { userId: demo.senior.id })).firstName).toBe('Patched');

    // a user created and deleted: inserted into and removed from the view in place, in id order
    const created = await service.create(admin, { companyId: A, email: 'patched.in@greatbuys.com', firstName: 'In', lastName: 'Place', phone: '', role: 2 });
    expect(await ids(admin)).toEqual(await expected(A));
    expect((await service.get(admin, { userId: created.id })).email).toBe('patched.in@greatbuys.com');
    await service.delete(admin, { userId: created.id });
    expect(await ids(admin)).toEqual(await expected(A));
    await expect(service.get(admin, { userId: created.id })).rejects.toMatchObject({ code: 'B2B_USER_NOT_FOUND' });
    expect(views.stats).toMatchObject({ loads: 2, patches: 3 });

    // a write outside every tenant (the webhook dispatcher's delivery states) leaves the views
    const { runOutsideTenants } = await import('../src/db/tenant-ledger.js');
    const db = t.database.kysely;
    const changed = await runOutsideTenants(t.database, db.updateTable('webhook_deliveries').set({ updated_at: 1 }).where('id', '=', 'warm-up'));
    expect(Number(changed.numAffectedRows)).toBe(1);
    expect(await ids(rival)).toEqual(await expected(B));
    expect(await ids(admin)).toEqual(await expected(A));
    expect(views.stats).toMatchObject({ loads: 2, patches: 3 });

    // a write the ledger cannot explain (here: SQL through the same database, outside any service),
    // seen by the same request at once (PostgreSQL: the pool tells the ledger, no new reading)
    await sql`UPDATE company_users SET first_name = 'Raw' WHERE id = ${demo.rival.id}`.execute(t.database.kysely);
    expect(await ids(rival)).toEqual(await expected(B));
    expect(await ids(rival)).toContain(`${demo.rival.id}:Raw`);
    expect(await ids(admin)).toEqual(await expected(A));
    expect(views.stats).toMatchObject({ loads: 4, patches: 3 });

    // the same inside a transaction that did not declare what it touched
    await t.database.kysely.transaction().execute(async (trx) => {
      await sql`UPDATE company_users SET first_name = 'RawToo' WHERE id = ${demo.rival.id}`.execute(trx);
    });
    expect(await ids(rival)).toContain(`${demo.rival.id}:RawToo`);
    expect(await ids(admin)).toEqual(await expected(A));
    expect(views.stats).toMatchObject({ loads: 6, patches: 3 });
  }));

  it('takes the row a write handed over instead of reading it again, only while no later change named that user', () => inOneRequest(async () => {
    const { createCompanyUserService } = await import('../src/domain/company-users/company-user-service.js');
    const { createCompanyUserViews } = await import('../src/domain/company-users/company-user-views.js');
    const views = createCompanyUserViews(t.database);
    const service = createCompanyUserService({ database: t.database, clock: t.clock, views });
    // a second service with views of its own: its writes hand nothing to `views` (as another edge's would not)
    const other = createCompanyUserService({ database: t.database, clock: t.clock });
    const admin = await t.app.services.b2bTokens.authenticate(tokenFor(t, demo.admin));
    const names = async () => (await service.list(admin, { paging: { limit: 50, offset: 0 } })).items.map((u) => `${u.id}:${u.firstName}:${u.phone}`);
    const expected = async () =>
      (await sql<{ id: number; first_name: string; phone: string }>`SELECT id, first_name, phone FROM company_users WHERE company_id = ${A} ORDER BY id DESC`.execute(t.database.kysely)).rows.map(
        (r) => `${r.id}:${r.first_name}:${r.phone}`,
      );
    const who = { userId: demo.senior.id };

    expect(await names()).toEqual(await expected());
    const loads = views.stats.loads;
    await service.update(admin, who, { firstName: 'Handed', phone: '555-0001' }, { mode: 'partial' });
    expect(await names()).toContain(`${demo.senior.id}:Handed:555-0001`);
    expect(await names()).toEqual(await expected());
    expect(views.stats.handedOver).toBe(1);

    // handed over, then changed by a write that hands nothing over: storage's row, not the handed one
    await service.update(admin, who, { firstName: 'First' }, { mode: 'partial' });
    await other.update(admin, who, { firstName: 'Second' }, { mode: 'partial' });
    expect(await names()).toContain(`${demo.senior.id}:Second:555-0001`);
    expect(await names()).toEqual(await expected());
    expect(views.stats.handedOver).toBe(1);

    // two writes that both hand over (the second one's own lookup of its user takes the first's), then the list the second's
    await service.update(admin, who, { firstName: 'Third' }, { mode: 'partial' });
    await service.update(admin, who, { firstName: 'Fourth' }, { mode: 'partial' });
    expect(views.stats.handedOver).toBe(2);
    expect(await names()).toContain(`${demo.senior.id}:Fourth:555-0001`);
    expect(await names()).toEqual(await expected());
    expect(views.stats.handedOver).toBe(3);
    expect(views.stats.loads).toBe(loads);
  }));

  it('answers a search as storage does (SQLite LIKE, PostgreSQL ILIKE: case folding, wildcards literal), totals, pages, roles', () => inOneRequest(async () => {
    const { createCompanyUserService } = await import('../src/domain/company-users/company-user-service.js');
    const { createCompanyUserViews } = await import('../src/domain/company-users/company-user-views.js');
    const views = createCompanyUserViews(t.database);
    const withViews = createCompanyUserService({ database: t.database, clock: t.clock, views });
    const storageOnly = createCompanyUserService({ database: t.database, clock: t.clock, views: createCompanyUserViews(t.database, { maxUsers: 0 }) });
    const admin = await t.app.services.b2bTokens.authenticate(tokenFor(t, demo.admin));
    const rival = await t.app.services.b2bTokens.authenticate(tokenFor(t, demo.rival));
    const same = async (principal: typeof admin, terms: string[]) => {
      for (const q of terms) {
        for (const roles of [undefined, [0], [1, 2]]) {
          for (const paging of [{ limit: 50, offset: 0 }, { limit: 2, offset: 1 }]) {
            const query = { search: q, ...(roles ? { roles } : {}), paging };
            const a = await withViews.list(principal, query);
            const b = await storageOnly.list(principal, query);
            const label = `q=${JSON.stringify(q)} roles=${JSON.stringify(roles)} offset=${paging.offset}`;
            expect(a.items.map((u) => u.id), label).toEqual(b.items.map((u) => u.id));
            expect({ ...a, items: undefined, dependsOn: undefined }, label).toEqual({ ...b, items: undefined, dependsOn: undefined });
            // storage's filtered page depends on the whole Company; the read model's names every user it
            // matched (the page and the total) and the membership, and asks about the others
            if (a.dependsOn?.alsoIf) {
              const all = await storageOnly.list(principal, { ...query, paging: { limit: 250, offset: 0 } });
              expect(new Set(a.dependsOn.items), label).toEqual(new Set([...all.items.map((u) => u.id), MEMBERSHIP_CHANGED]));
            } else expect(a.dependsOn, label).toEqual(b.dependsOn);
          }
        }
      }
    };
    const createAll = async (principal: typeof admin, companyId: number, prefix: string, names: string[][]) => {
      for (const [i, [firstName, lastName]] of names.entries()) {
        await withViews.create(principal, { companyId, email: `${prefix}.${i}@Example.COM`, firstName: firstName as string, lastName: lastName as string, phone: '', role: i % 3 });
      }
    };
    // ASCII names in Company B: searched in memory on both engines
    await createAll(rival, B, 'ascii', [
      ['Ann_a', '100%'],
      ['back\\slash', "O'Neil"],
      ['IVAN', 'Ivanov'],
      ['ivan', 'IVANOV'],
    ]);
    const hits = views.stats.hits;
    await same(rival, ['n_a', 'nna', '%', '100%', '_', '\\', "o'neil", 'ivan', 'IVAN ivanov', 'example.com', 'EXAMPLE', 'ascii.1@', ' ivanov ', 'curie', 'x']);
    expect(views.stats.hits - hits).toBeGreaterThanOrEqual(80); // of 90 lists: answered by the view
    expect((await withViews.list(rival, { search: 'ivanov', paging: { limit: 50, offset: 0 } })).totalCount).toBe(2);

    // text outside ASCII in Company A: in memory on SQLite (its LIKE folds ASCII only); storage on PostgreSQL
    await createAll(admin, A, 'search', [
      ['Émile', 'Zola'],
      ['ÉMILE', 'ZOLA'],
      ['Straße', 'Weiß'],
      ['Ivan', 'Петров'],
      ['IVAN', 'ПЕТРОВ'],
    ]);
    await same(admin, ['émile', 'ÉMILE', 'emile', 'zola', 'ZOLA', 'straße', 'STRASSE', 'weiß', 'петров', 'ПЕТРОВ', 'ivan петров', 'e z', 'émile zola', 'example.com', 'search.1@', ' zola ', 'x']);
    // and the search did match something (the comparison is not between two empty lists)
    expect((await withViews.list(admin, { search: 'zola', paging: { limit: 50, offset: 0 } })).totalCount).toBe(2);
    expect((await withViews.list(admin, { search: 'ПЕТРОВ', paging: { limit: 50, offset: 0 } })).totalCount).toBe(dialect === 'sqlite' ? 1 : 2);
  }));
});

describe.each(dialects.filter((d) => d === 'postgres'))('a write transaction tells the ledger its own id on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW });
  });
  afterAll(async () => t.close());

  it('from its row lock or a write that returned it (no round trip), else from PostgreSQL; never another transaction\'s', async () => {
    const { PG_XID_SQL } = await import('../src/db/pg-statements.js');
    const { lockedForUpdate, transactionIdColumn } = await import('../src/db/dialect.js');
    const { CompiledQuery } = await import('kysely');
    const told: string[] = [];
    const real: string[] = [];
    for (const how of ['lock', 'plain', 'returning', 'lock'] as const) {
      await t.database.kysely.transaction().execute(async (trx) => {
        if (how === 'lock') {
          const row = await lockedForUpdate(trx, trx.selectFrom('company_users').select('id').where('id', '=', demo.senior.id)).executeTakeFirstOrThrow();
          expect(typeof (row as Record<string, unknown>).roster_xid).toBe('string');
        } else if (how === 'returning') {
          const row = await trx.updateTable('company_users').set({ phone: '555-0100' }).where('id', '=', demo.senior.id).returning(['id', transactionIdColumn(trx)]).executeTakeFirstOrThrow();
          expect(typeof row.roster_xid).toBe('string');
        } else await sql`UPDATE company_users SET phone = phone WHERE id = ${demo.senior.id}`.execute(trx);
        told.push(String((await trx.executeQuery<{ roster_xid: string }>(CompiledQuery.raw(PG_XID_SQL))).rows[0]?.roster_xid));
        real.push(String((await sql<{ x: string }>`SELECT pg_current_xact_id()::text AS x`.execute(trx)).rows[0]?.x));
      });
    }
    expect(told).toEqual(real);
    expect(new Set(real).size).toBe(4);
  });
});

describe('the PostgreSQL ledger reads transaction ids from snapshot readings', () => {
  it('moves only the tenants of registered writes; any other completed transaction moves all; readings may come out of order', async () => {
    const { createPgLedger } = await import('../src/db/tenant-ledger.js');
    const { runInRequest } = await import('../src/shared/request-scope.js');
    const ledger = createPgLedger();
    const a = 'company:1';
    const b = 'company:2';
    await runInRequest('ledger', async () => {
      expect(ledger.sync()).toBe(false); // no reading observed in this request yet
      ledger.observe('100:105:101,103');
      ledger.observed("100:105:101,103");
      expect(ledger.sync()).toBe(true);
      let last = [ledger.stamp(a), ledger.stamp(b)] as const;
      /** which of the two tenants `change` moved */
      const moves = (change: () => void) => {
        const before = last;
        change();
        last = [ledger.stamp(a), ledger.stamp(b)];
        return [last[0] > before[0], last[1] > before[1]];
      };

      // 103 was running: it declares Company 1 and completes
      const since = last[0];
      ledger.register('103', new Map([[a, [7]]]));
      expect(moves(() => ledger.observe('100:105:101'))).toEqual([true, false]);
      expect(ledger.changedSince(a, since)).toEqual([7]);
      // an older reading answered late changes nothing
      expect(moves(() => ledger.observe('100:105:101,103'))).toEqual([false, false]);
      // 105 and 106 started after; 105 completed without declaring anything: everything moves
      const before105 = last[0];
      expect(moves(() => ledger.observe('100:107:101,106'))).toEqual([true, true]);
      expect(ledger.changedSince(a, before105)).toBeUndefined();
      // 106 declares Company 2 and settles after its commit: Company 2 moves at once, the reading that shows it later moves nothing
      ledger.register('106', new Map([[b, [3]]]));
      expect(moves(() => ledger.settle('106'))).toEqual([false, true]);
      expect(moves(() => ledger.observe('100:107:101'))).toEqual([false, false]);
      // 101 ends unexplained (rolled back, another process): everything
      expect(moves(() => ledger.observe('107:107:'))).toEqual([true, true]);
      // a one-statement write registered after a reading already showed it completed: that reading moved everything, nothing more now
      ledger.register('106', new Map([[a, [1]]]));
      expect(moves(() => ledger.settle('106'))).toEqual([false, false]);
      // a jump past what is worth telling apart: everything
      expect(moves(() => ledger.observe('20000:20000:'))).toEqual([true, true]);
    });
    // outside a request, or in another request that took no reading: cannot tell
    expect(ledger.sync()).toBe(false);
    await runInRequest('other', async () => expect(ledger.sync()).toBe(false));
  });
});
