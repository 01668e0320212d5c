import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, demo, STORE, tokenFor, walkIn } from './b2b-rest-helpers.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestApp, type TestApp } from './helpers/test-app.js';

/** Listing (search, role filters, lenient paging, deep offsets) and the create / update / delete rules, with the state afterwards. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BIG = 555000;
const BIG_SIZE = 1300;
const bigAdmin = { id: 9000, bcId: 9001, email: 'boss@big.example', companyId: BIG };

function bigFixture(size = BIG_SIZE): unknown {
  const fixture = cloneDemo<{ b2b: { stores: { companies: unknown[] }[] } }>();
  const users: unknown[] = [{ id: bigAdmin.id, bcId: bigAdmin.bcId, email: bigAdmin.email, firstName: 'Boss', lastName: 'Big', phoneNumber: '', role: 0 }];
  for (let i = 1; i < size; i += 1) users.push({ email: `u${i}@big.example`, firstName: `User${i}`, lastName: 'Big', phoneNumber: '', role: i % 3 });
  fixture.b2b.stores[0]?.companies.push({ id: BIG, name: 'Big Co', status: 1, parentId: null, users });
  return fixture;
}

describe.each(dialects)('B2B REST users on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let boss: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, fixture: bigFixture() });
    admin = tokenFor(t, demo.admin);
    boss = tokenFor(t, bigAdmin);
  });
  afterAll(async () => t.close());

  const get = async (url: string, token = admin) => {
    const res = await t.app.inject({ method: 'GET', url, headers: auth(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as { list: { id: string; role: string; email: string }[]; pagination: { totalCount: number; offset: number; limit: number } };
  };
  const ids = (data: { list: { id: string }[] }) => data.list.map((u) => Number(u.id));

  async function bigIds(roles?: number[]): Promise<number[]> {
    let q = t.database.kysely.selectFrom('company_users').select('id').where('company_id', '=', BIG);
    if (roles) q = q.where('role', 'in', roles);
    return (await q.orderBy('id', 'desc').execute()).map((r) => Number(r.id));
  }

  describe('search and role filters', () => {
    it('q is a case-insensitive substring of first, last, "first last" and e-mail; % and _ are literal', async () => {
      expect(ids(await get('/api/v2/users?q=CURIE'))).toEqual([126, 124, 123]);
      expect(ids(await get('/api/v2/users?q=marie%20curie'))).toEqual([123]);
      expect(ids(await get('/api/v2/users?q=joliot@'))).toEqual([125]);
      expect(ids(await get('/api/v2/users?q=rival'))).toEqual([]);
      expect(ids(await get('/api/v2/users?q=%25'))).toEqual([]);
      expect(ids(await get('/api/v2/users?q=_'))).toEqual([]);
      expect(ids(await get('/api/v2/users?q=%20%20'))).toEqual([126, 125, 124, 123]);
      const filtered = await get('/api/v2/users?q=curie&limit=1&offset=1');
      expect(filtered.pagination).toEqual({ totalCount: 3, offset: 1, limit: 1 });
      expect(ids(filtered)).toEqual([124]);
    });

    it('role: one value, "" = all, 2 includes custom-role users, role[] is a union', async () => {
      expect(ids(await get('/api/v2/users?role=0'))).toEqual([123]);
      expect(ids(await get('/api/v2/users?role=2'))).toEqual([126, 125]);
      expect(ids(await get('/api/v2/users?role='))).toEqual([126, 125, 124, 123]);
      expect(ids(await get('/api/v2/users?role=3'))).toEqual([]);
      expect(ids(await get('/api/v2/users?role=4'))).toEqual([]);
      expect(ids(await get('/api/v2/companies/123456/users?role[]=0&role[]=1'))).toEqual([124, 123]);
      expect(ids(await get('/api/v2/companies/123456/users?role=1&q=pierre'))).toEqual([124]);
      const data = await get('/api/v2/users?role=2');
      expect(data.pagination).toEqual({ totalCount: 2, offset: 0, limit: 10 });
    });

    it('created and modified time ranges (unix seconds, inclusive)', async () => {
      const s = NOW / 1000;
      expect(ids(await get(`/api/v2/companies/123456/users?minLastCreatedTime=${s}&maxLastCreatedTime=${s}`))).toEqual([126, 125, 124, 123]);
      expect(ids(await get(`/api/v2/companies/123456/users?minLastCreatedTime=${s + 1}`))).toEqual([]);
      expect(ids(await get(`/api/v2/companies/123456/users?maxLastModifiedTime=${s - 1}`))).toEqual([]);
      const bad = await t.app.inject({ method: 'GET', url: '/api/v2/companies/123456/users?minLastModifiedTime=yesterday', headers: auth(admin) });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().data.errMsg).toEqual({ minLastModifiedTime: ['A valid integer is required.'] });
    });
  });

  describe('filters no stored value can match', () => {
    it('overlong search text, ids and roles beyond the 32-bit columns: empty pages, never an error', async () => {
      const long = 'a'.repeat(60_000);
      const res = await t.app.inject({ method: 'GET', url: `/api/v2/users?q=${long}`, headers: auth(admin) });
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toEqual({ list: [], pagination: { totalCount: 0, offset: 0, limit: 10 } });
      const principal = await t.app.services.b2bTokens.authenticate(admin);
      const list = (query: Parameters<typeof t.app.services.companyUsers.list>[1]) => t.app.services.companyUsers.list(principal, query);
      const huge = 2 ** 40;
      expect((await list({ companyRoleId: huge, paging: { limit: 10 } })).items).toEqual([]);
      expect((await list({ roles: [huge, 7], paging: { limit: 10 } })).items).toEqual([]);
      expect((await list({ email: long, firstName: 'x\u0000', paging: { limit: 10 } })).items).toEqual([]);
      expect((await list({ paging: { limit: 10, afterId: huge } })).items.map((u) => u.id)).toEqual([126, 125, 124, 123]);
      expect((await list({ paging: { limit: 10, afterId: -5 } })).items).toEqual([]);
      expect((await list({ paging: { limit: 10, beforeId: huge, fromEnd: true } })).items).toEqual([]);
      expect((await list({ paging: { limit: 2, beforeId: -5, fromEnd: true } })).items.map((u) => u.id)).toEqual([124, 123]);
      expect((await list({ paging: { limit: Number.NaN, offset: Number.NaN } })).limit).toBe(10);
    });
  });

  describe('paging', () => {
    it('lenient limit and offset (§13 #12), echoed in pagination', async () => {
      const all = await bigIds();
      const cases: [string, number, number][] = [
        ['limit=0', 10, 0],
        ['limit=-5', 10, 0],
        ['limit=abc', 10, 0],
        ['limit=2.5', 10, 0],
        ['limit=250', 250, 0],
        ['limit=251', 250, 0],
        ['limit=99999', 250, 0],
        ['offset=-3', 10, 0],
        ['offset=x', 10, 0],
        ['limit=3&offset=7', 3, 7],
        ['limit=&offset=', 10, 0],
      ];
      for (const [query, limit, offset] of cases) {
        const data = await get(`/api/v2/users?${query}`, boss);
        expect(data.pagination, query).toEqual({ totalCount: BIG_SIZE, offset, limit });
        expect(ids(data), query).toEqual(all.slice(offset, offset + limit));
      }
      const beyond = await get(`/api/v2/users?offset=${BIG_SIZE}`, boss);
      expect(beyond.list).toEqual([]);
      expect(beyond.pagination.totalCount).toBe(BIG_SIZE);
    });

    it('deep offsets match the id-descending order, before and after writes (position cache)', async () => {
      const check = async (label: string) => {
        const all = await bigIds();
        const ones = await bigIds([1]);
        for (const offset of [0, 995, 999, 1000, 1001, 1200, all.length - 3, all.length]) {
          expect(ids(await get(`/api/v2/users?limit=7&offset=${offset}`, boss)), `${label} offset ${offset}`).toEqual(all.slice(offset, offset + 7));
          expect(ids(await get(`/api/v2/companies/${BIG}/users?limit=7&offset=${offset}`, boss)), `${label} company offset ${offset}`).toEqual(all.slice(offset, offset + 7));
        }
        for (const offset of [0, 300, 399, ones.length - 1]) {
          const data = await get(`/api/v2/users?role=1&limit=5&offset=${offset}`, boss);
          expect(ids(data), `${label} role 1 offset ${offset}`).toEqual(ones.slice(offset, offset + 5));
          expect(data.pagination.totalCount).toBe(ones.length);
        }
        const counted = await t.database.kysely.selectFrom('companies').select('user_count').where('id', '=', BIG).executeTakeFirstOrThrow();
        expect((await get('/api/v2/users?limit=1', boss)).pagination.totalCount).toBe(Number(counted.user_count));
        expect(Number(counted.user_count)).toBe(all.length);
      };
      await check('initial');
      const all = await bigIds();
      const middle = all[1100] as number;
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers: auth(boss),
        payload: { companyId: String(BIG), firstName: 'New', lastName: 'Comer', email: 'new.comer@big.example', phoneNumber: '', role: '1' },
      });
      expect(created.statusCode).toBe(200);
      await check('after create');
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v2/users/${middle}`, headers: auth(boss) })).statusCode).toBe(200);
      await check('after delete');
      const target = (await bigIds([2]))[300] as number;
      const row = await t.database.kysely.selectFrom('company_users').selectAll().where('id', '=', target).executeTakeFirstOrThrow();
      const put = await t.app.inject({
        method: 'PUT',
        url: `/api/v2/users/${target}`,
        headers: auth(boss),
        payload: { firstName: row.first_name, lastName: row.last_name, email: row.email, phoneNumber: '', role: '1' },
      });
      expect(put.statusCode).toBe(200);
      await check('after role change');
    });
  });

  describe('create, update, delete', () => {
    it('create links an existing customer by e-mail (no new customer), with a custom role via companyRoleId', async () => {
      const customersBefore = await t.database.kysely.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers: auth(admin),
        payload: { companyId: 123456, firstName: 'Walker', lastName: 'In', email: 'WALK.IN@example.com', phoneNumber: '555-0100', role: 1, companyRoleId: '5' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const data = res.json().data;
      expect(data).toMatchObject({ bcId: String(walkIn.bcId), firstName: 'Walker', lastName: 'In', email: 'WALK.IN@example.com', role: '2', companyRoleId: '5', companyRoleName: 'User Manager' });
      const customersAfter = await t.database.kysely.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(customersAfter.n)).toBe(Number(customersBefore.n));
      const row = await t.database.kysely.selectFrom('company_users').selectAll().where('id', '=', Number(data.userId)).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ company_id: 123456, customer_id: walkIn.bcId, role: 2, company_role_id: 5, channel_id: 1 });
      const customer = await t.database.kysely.selectFrom('customers').selectAll().where('id', '=', walkIn.bcId).executeTakeFirstOrThrow();
      expect(customer.password_hash).not.toBeNull(); // an existing customer keeps its password
      expect(Number(customer.force_password_reset)).toBe(0);
      const read = await t.app.inject({ method: 'GET', url: `/api/v2/users/${data.userId}`, headers: auth(admin) });
      expect(read.json().data).toMatchObject({ roleId: '2', companyRoleId: '5', companyRoleName: 'User Manager', phoneNumber: '555-0100' });
    });

    it('create makes a new customer without a password when the e-mail is unknown; the counter follows', async () => {
      const before = await t.database.kysely.selectFrom('companies').select('user_count').where('id', '=', 123456).executeTakeFirstOrThrow();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers: auth(admin),
        payload: { companyId: '123456', firstName: 'Lise', lastName: 'Meitner', email: 'lise@greatbuys.com', phoneNumber: '', role: '0' },
      });
      expect(res.statusCode).toBe(200);
      const { userId, bcId } = res.json().data;
      const customer = await t.database.kysely.selectFrom('customers').selectAll().where('id', '=', Number(bcId)).executeTakeFirstOrThrow();
      expect(customer).toMatchObject({ email: 'lise@greatbuys.com', first_name: 'Lise', last_name: 'Meitner', password_hash: null, origin_channel_id: 1 });
      expect(Number(customer.force_password_reset)).toBe(1);
      const after = await t.database.kysely.selectFrom('companies').select('user_count').where('id', '=', 123456).executeTakeFirstOrThrow();
      expect(Number(after.user_count)).toBe(Number(before.user_count) + 1);
      expect(ids(await get('/api/v2/users?limit=1'))).toEqual([Number(userId)]);
    });

    it('PUT replaces the five fields, clears a custom role when role is given, honours isBcId', async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/api/v2/users/${demo.custom.bcId}?isBcId=1`,
        headers: auth(admin),
        payload: { firstName: 'Eve', lastName: 'Curie-Labouisse', email: 'e.curie@greatbuys.com', phoneNumber: '', role: '1' },
      });
      expect(res.statusCode).toBe(200);
      const row = await t.database.kysely.selectFrom('company_users').selectAll().where('id', '=', demo.custom.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ last_name: 'Curie-Labouisse', role: 1, company_role_id: null });
      const updated = await t.app.inject({ method: 'GET', url: `/api/v2/users/${demo.custom.id}`, headers: auth(admin) });
      expect(updated.json().data).toMatchObject({ roleId: '1', companyRoleId: '1', companyRoleName: 'Senior Buyer', lastName: 'Curie-Labouisse' });
      // the former User Manager lost its permissions at once
      const asEve = await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(tokenFor(t, demo.custom)) });
      expect(asEve.statusCode).toBe(403);
    });

    it('delete keeps the customer, who can still sign in as a B2C customer', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v2/users/${demo.junior.bcId}?isBcId=1`, headers: auth(admin) });
      expect(res.statusCode).toBe(200);
      expect(await t.database.kysely.selectFrom('company_users').select('id').where('id', '=', demo.junior.id).executeTakeFirst()).toBeUndefined();
      const customer = await t.database.kysely.selectFrom('customers').selectAll().where('id', '=', demo.junior.bcId).executeTakeFirstOrThrow();
      expect(customer.email).toBe(demo.junior.email);
      const check = await t.app.inject({
        method: 'GET',
        url: `/api/v2/companies/validations/frontend/user-emails/${demo.junior.email}?storeHash=${STORE}&role=2`,
        headers: auth(admin),
      });
      expect(check.json().data.isValid).toBe('2');
      const signIn = await t.app.inject({
        method: 'POST',
        url: '/api/io/auth/customers',
        payload: { storeHash: STORE, email: demo.junior.email, password: 'Passw0rd!', channelId: 1, name: 'b2c' },
      });
      expect(signIn.statusCode).toBe(200);
      const asB2c = await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(signIn.json().data.token) });
      expect(asB2c.statusCode).toBe(403);
    });

    const who = demo.senior;
    const put = (payload: Record<string, string>) => t.app.inject({ method: 'PUT', url: `/api/v2/users/${who.id}`, headers: auth(admin), payload });
    const userRow = () => t.database.kysely.selectFrom('company_users').selectAll().where('id', '=', who.id).executeTakeFirstOrThrow();
    const customerRow = () => t.database.kysely.selectFrom('customers').selectAll().where('id', '=', who.bcId).executeTakeFirstOrThrow();
    const signIn = (email: string) =>
      t.app.inject({ method: 'POST', url: '/api/io/auth/customers', payload: { storeHash: STORE, email, password: 'Passw0rd!', channelId: 1, name: 'check' } });

    // last in this block: it moves the senior's e-mail and role
    it('names alone keep e-mail and role; e-mail changes (case, then address) reach the user and its customer; the role changes alone', async () => {
      const start = await userRow();
      const base = { firstName: 'Renamed', lastName: start.last_name, email: start.email, phoneNumber: '555-0101', role: String(start.role) };
      let res = await put(base);
      expect(res.statusCode, res.body).toBe(200);
      const shown = await t.app.inject({ method: 'GET', url: `/api/v2/users/${who.id}`, headers: auth(admin) });
      expect(shown.json().data).toMatchObject({ email: start.email, firstName: 'Renamed', phoneNumber: '555-0101', roleId: String(start.role) });
      expect(await userRow()).toMatchObject({ first_name: 'Renamed', phone: '555-0101', email: start.email, email_key: start.email_key, role: start.role, company_role_id: start.company_role_id });
      expect(await customerRow()).toMatchObject({ email: start.email, first_name: 'Renamed', phone: '555-0101' });

      const upper = start.email.toUpperCase();
      res = await put({ ...base, email: upper });
      expect(res.statusCode, res.body).toBe(200);
      expect(await userRow()).toMatchObject({ email: upper, email_key: start.email_key });
      expect(await customerRow()).toMatchObject({ email: upper, email_key: start.email_key });

      const moved = `moved.${start.email}`;
      res = await put({ ...base, email: moved });
      expect(res.statusCode, res.body).toBe(200);
      expect(await userRow()).toMatchObject({ email: moved, email_key: moved });
      expect(await customerRow()).toMatchObject({ email: moved, email_key: moved });
      expect((await signIn(moved)).statusCode).toBe(200);
      expect((await signIn(start.email)).statusCode).not.toBe(200);

      const role = start.role === 1 ? '2' : '1';
      res = await put({ ...base, email: moved, role });
      expect(res.statusCode, res.body).toBe(200);
      expect(await userRow()).toMatchObject({ role: Number(role), email: moved, first_name: 'Renamed' });
      const listed = await t.app.inject({ method: 'GET', url: `/api/v2/users?role=${role}&limit=100`, headers: auth(admin) });
      expect(listed.json().data.list.map((u: { id: string }) => Number(u.id))).toContain(who.id);
    });
  });
});

describe.each(dialects)('deep-offset position cache (domain) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, fixture: bigFixture(400) });
  });
  afterAll(async () => t.close());

  it('answers from checkpoints, shifts them on its own writes, and rebuilds after foreign writes', async () => {
    const { createCompanyUserService } = await import('../src/domain/company-users/company-user-service.js');
    const { createUserPositionCache } = await import('../src/domain/company-users/company-user-positions.js');
    const { createDataVersion } = await import('../src/db/data-version.js');
    const { createCompanyUserViews } = await import('../src/domain/company-users/company-user-views.js');
    const positions = createUserPositionCache({ stride: 37 });
    const version = createDataVersion();
    // no read model (it would answer these pages on SQLite): this test is about storage's own paging
    const views = createCompanyUserViews(t.database, { maxUsers: 0 });
    const service = createCompanyUserService({ database: t.database, clock: t.clock, positions, version, views });
    const principal = await t.app.services.b2bTokens.authenticate(tokenFor(t, bigAdmin));
    const db = t.database.kysely;
    const expectedIds = async (roles?: number[]) => {
      let q = db.selectFrom('company_users').select('id').where('company_id', '=', BIG);
      if (roles) q = q.where('role', 'in', roles);
      return (await q.orderBy('id', 'desc').execute()).map((r) => Number(r.id));
    };
    const page = async (offset: number, roles?: number[]) =>
      (await service.list(principal, { ...(roles ? { roles } : {}), paging: { limit: 4, offset } })).items.map((u) => u.id);
    const verify = async (label: string) => {
      const all = await expectedIds();
      const twos = await expectedIds([2]);
      for (const offset of [36, 37, 38, 74, 200, 333, all.length - 2]) expect(await page(offset), `${label} ${offset}`).toEqual(all.slice(offset, offset + 4));
      for (const offset of [37, 74, 100, twos.length - 1]) expect(await page(offset, [2]), `${label} role 2 ${offset}`).toEqual(twos.slice(offset, offset + 4));
    };

    await verify('initial');
    expect(positions.stats.builds).toBe(2);
    const hits = positions.stats.hits;
    expect(hits).toBeGreaterThan(0);

    const created = await service.create(principal, { companyId: BIG, email: 'cache.new@big.example', firstName: 'C', lastName: 'N', phone: '', role: 2 });
    const victim = (await expectedIds())[177] as number;
    await service.delete(principal, { userId: victim });
    const twoToOne = (await expectedIds([2]))[50] as number;
    await service.update(principal, { userId: twoToOne }, { role: 1 }, { mode: 'partial' });
    await verify('after own writes');
    expect(positions.stats.builds).toBe(2); // shifted in place, not rebuilt
    expect(created.companyId).toBe(BIG);

    // a write that did not go through this cache (another service instance): the page cache learns
    // of it through the data version (as after a reset); the position cache notices by itself
    await t.app.services.companyUsers.delete(principal, { userId: (await expectedIds())[250] as number });
    version.bump();
    await verify('after a foreign write');
    expect(positions.stats.builds).toBe(4);
  });
});

describe.each(dialects)('company user events (domain hook) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW });
  });
  afterAll(async () => t.close());

  it('reports created, welcome, updated and deleted after commit, and nothing for refused writes', async () => {
    const { createCompanyUserService } = await import('../src/domain/company-users/company-user-service.js');
    const events: { type: string; companyId: number; userId: number }[] = [];
    const service = createCompanyUserService({ database: t.database, clock: t.clock, onEvent: (e) => events.push({ type: e.type, companyId: e.companyId, userId: 'userId' in e ? e.userId : -1 }) });
    const principal = await t.app.services.b2bTokens.authenticate(tokenFor(t, demo.admin));
    const user = await service.create(principal, { companyId: '123456', email: 'events@greatbuys.com', firstName: 'E', lastName: 'V', phone: '', role: '2' });
    await service.update(principal, { userId: user.id }, { firstName: 'Ev' }, { mode: 'partial' });
    await expect(service.delete(principal, { userId: demo.admin.id })).rejects.toMatchObject({ code: 'B2B_DELETE_SELF' });
    await expect(service.create(principal, { companyId: '223344', email: 'x@example.com', firstName: 'X', lastName: 'Y', role: 1 })).rejects.toMatchObject({ code: 'B2B_FORBIDDEN' });
    await service.delete(principal, { userId: user.id });
    expect(events).toEqual([
      { type: 'store/company/user/created', companyId: 123456, userId: user.id },
      { type: 'user.welcome', companyId: 123456, userId: user.id },
      { type: 'store/company/user/updated', companyId: 123456, userId: user.id },
      { type: 'store/company/user/deleted', companyId: 123456, userId: user.id },
    ]);
  });
});
