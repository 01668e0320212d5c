import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, ACCOUNT_TOKEN, addAccountUser, createAdminTestApp, type Inject, injector, STORE } from './admin-support.js';
import { dialects } from './helpers/dialects.js';
import type { TestApp } from './helpers/test-app.js';

/**
 * The console's tenant browsing endpoints (GET /_roster/tenants/...): keyset pages that join up to
 * every row exactly once, counts equal to what the APIs report, exact search, strict query strings,
 * declared in the OpenAPI document; and the console's shell under the admin access rule.
 */
const B2B = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': STORE };

type Page<T> = { items: T[]; next: string | null };

async function allPages<T>(inject: Inject, path: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await inject({ method: 'GET', url: `${path}${sep}limit=${limit}${after !== null ? `&after=${encodeURIComponent(after)}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page<T>;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    after = page.next;
    pages += 1;
  } while (after !== null && pages < 100);
  return { items, pages };
}

async function accountUsersTotal(inject: Inject): Promise<number> {
  const res = await inject({ method: 'POST', url: `/accounts/${ACCOUNT}/graphql`, headers: { 'x-auth-token': ACCOUNT_TOKEN, 'content-type': 'application/json' }, payload: { query: '{ account { users(first: 1) { collectionInfo { totalItems } } } }' } });
  return res.json().data.account.users.collectionInfo.totalItems;
}

describe.each(dialects)('tenant browsing endpoints (%s)', (dialect) => {
  let t: TestApp;
  let inject: Inject;
  beforeAll(async () => {
    t = await createAdminTestApp(dialect);
    inject = injector(t);
  });
  afterAll(async () => t.close());

  it('summary totals are the rows of the exported world', async () => {
    const state = (await inject({ method: 'GET', url: '/_roster/state' })).json() as {
      accounts: { users: unknown[]; stores: unknown[] }[];
      b2b: { stores: { companies: { users?: unknown[] }[] }[] };
    };
    const summary = (await inject({ method: 'GET', url: '/_roster/tenants/summary' })).json();
    expect(summary.totals.accounts).toBe(state.accounts.length);
    expect(summary.totals.stores).toBe(state.accounts.flatMap((a) => a.stores).length);
    expect(summary.totals.b2bStores).toBe(state.b2b.stores.length);
    expect(summary.totals.companies).toBe(state.b2b.stores.flatMap((s) => s.companies).length);
    expect(summary.totals.companyUsers).toBe(state.b2b.stores.flatMap((s) => s.companies).flatMap((c) => c.users ?? []).length);
    expect(summary.accounts.map((a: { uuid: string }) => a.uuid)).toEqual([...summary.accounts.map((a: { uuid: string }) => a.uuid)].sort());
  });

  it('accounts page by UUID; the user count follows the Account API, also after a user is added', async () => {
    const { items, pages } = await allPages<{ uuid: string; userCount: number; storeCount: number }>(inject, '/_roster/tenants/accounts', 1);
    expect(pages).toBe(items.length);
    expect(items.map((a) => a.uuid)).toEqual([...items.map((a) => a.uuid)].sort());
    const demo = items.find((a) => a.uuid === ACCOUNT);
    expect(demo?.userCount).toBe(await accountUsersTotal(inject));
    expect(demo?.storeCount).toBe(2);

    expect((await addAccountUser(inject, '', 'tenants.page@example.com')).statusCode).toBe(200);
    const users = await allPages<{ id: number; email: string }>(inject, `/_roster/tenants/accounts/${ACCOUNT}/users`, 2);
    expect(users.items.length).toBe(await accountUsersTotal(inject));
    expect(users.items.map((u) => u.email)).toContain('tenants.page@example.com');
    expect(users.items.map((u) => u.id)).toEqual([...users.items.map((u) => u.id)].sort((a, b) => a - b));
    expect(new Set(users.items.map((u) => u.id)).size).toBe(users.items.length);
    const again = (await inject({ method: 'GET', url: '/_roster/tenants/accounts' })).json() as Page<{ uuid: string; userCount: number }>;
    expect(again.items.find((a) => a.uuid === ACCOUNT)?.userCount).toBe(users.items.length);
  });

  it('stores of an account, their users with permissions and apps, and one user with memberships', async () => {
    const stores = (await inject({ method: 'GET', url: `/_roster/tenants/accounts/${ACCOUNT}/stores` })).json() as Page<{ id: number; storeHash: string; userCount: number }>;
    expect(stores.items.map((s) => s.id)).toEqual([1000001, 1000002]);
    const users = await allPages<{ id: number; email: string; permissions: string[]; apps: number[] }>(inject, '/_roster/tenants/stores/1000001/users', 1);
    expect(users.items.length).toBe(stores.items[0]?.userCount);
    const jane = users.items.find((u) => u.email === 'jane.doe@example.com');
    expect(jane?.apps).toEqual([4869, 6824]);
    expect(jane?.permissions.length).toBeGreaterThan(0);

    const user = (await inject({ method: 'GET', url: '/_roster/tenants/users/1001' })).json();
    expect(user.email).toBe('jane.doe@example.com');
    expect(user.memberships.map((m: { accountUuid: string }) => m.accountUuid)).toContain(ACCOUNT);
    expect(user.stores.find((s: { storeId: number }) => s.storeId === 1000001)?.apps).toEqual([4869, 6824]);
    expect((await inject({ method: 'GET', url: '/_roster/tenants/users/999999' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: '/_roster/tenants/users/abc' })).statusCode).toBe(404);
  });

  it('B2B stores → companies (with parents) → users with roles, as the Management API says', async () => {
    const stores = (await inject({ method: 'GET', url: '/_roster/tenants/b2b' })).json() as Page<{ storeHash: string; companyCount: number; userCount: number }>;
    const store = stores.items.find((s) => s.storeHash === STORE);
    const companies = await allPages<{ id: number; parentId: number | null; userCount: number }>(inject, `/_roster/tenants/b2b/${STORE}/companies`, 3);
    expect(companies.items.length).toBe(store?.companyCount);
    expect(companies.items.find((c) => c.id === 123457)?.parentId).toBe(123456);
    expect(companies.items.reduce((n, c) => n + c.userCount, 0)).toBe(store?.userCount);
    for (const company of companies.items) {
      const mgmt = (await inject({ method: 'GET', url: `/api/v3/io/users?companyId=${company.id}&limit=100`, headers: B2B })).json() as { data: { id: number; companyRoleName: string }[]; meta: { pagination: { totalCount: number } } };
      const users = await allPages<{ id: number; role: string }>(inject, `/_roster/tenants/b2b/${STORE}/companies/${company.id}/users`, 2);
      expect(users.items.length).toBe(mgmt.meta.pagination.totalCount);
      expect(users.items.length).toBe(company.userCount);
      const byId = new Map(mgmt.data.map((u) => [u.id, u.companyRoleName]));
      for (const u of users.items) expect(u.role).toBe(byId.get(u.id));
    }
  });

  it('one company user with company and role, as the Management API says; another store\'s hash finds nothing', async () => {
    const mgmt = (await inject({ method: 'GET', url: '/api/v3/io/users/124', headers: B2B })).json().data as { companyId: number; companyRoleName: string; customerId: number; email: string };
    const user = (await inject({ method: 'GET', url: `/_roster/tenants/b2b/${STORE}/users/124` })).json();
    expect(user).toMatchObject({ id: 124, storeHash: STORE, email: mgmt.email, companyId: mgmt.companyId, role: mgmt.companyRoleName, customerId: mgmt.customerId });
    expect((await inject({ method: 'GET', url: '/_roster/tenants/b2b/otherstore/users/124' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: `/_roster/tenants/b2b/${STORE}/users/999999` })).statusCode).toBe(404);
  });

  it('search: exact e-mail (any case), id, account UUID, store hash; nothing for a partial value', async () => {
    const byEmail = (await inject({ method: 'GET', url: '/_roster/tenants/search?q=JANE.DOE%40example.com' })).json();
    expect(byEmail.users.map((u: { id: number }) => u.id)).toEqual([1001]);
    const byCustomer = (await inject({ method: 'GET', url: '/_roster/tenants/search?q=p.curie%40greatbuys.com' })).json();
    expect(byCustomer.customers.map((c: { storeHash: string }) => c.storeHash)).toEqual([STORE]);
    expect((await inject({ method: 'GET', url: '/_roster/tenants/search?q=1001' })).json().users.map((u: { email: string }) => u.email)).toEqual(['jane.doe@example.com']);
    expect((await inject({ method: 'GET', url: `/_roster/tenants/search?q=${ACCOUNT.toUpperCase()}` })).json().accounts.map((a: { uuid: string }) => a.uuid)).toEqual([ACCOUNT]);
    expect((await inject({ method: 'GET', url: `/_roster/tenants/search?q=${STORE}` })).json().stores.map((s: { id: number }) => s.id)).toEqual([1000001]);
    const partial = (await inject({ method: 'GET', url: '/_roster/tenants/search?q=jane' })).json();
    expect(partial).toEqual({ users: [], customers: [], companyUsers: [], accounts: [], stores: [] });
    const companyUser = (await inject({ method: 'GET', url: '/_roster/tenants/search?q=P.Curie%40greatbuys.com' })).json();
    expect(companyUser.companyUsers).toEqual([{ id: 124, storeHash: STORE, companyId: 123456, email: 'p.curie@greatbuys.com' }]);
  });

  it('refuses bad paging and unknown parameters; the routes are in the OpenAPI document', async () => {
    for (const url of ['/_roster/tenants/accounts?limit=0', '/_roster/tenants/accounts?limit=201', '/_roster/tenants/accounts?colour=red', `/_roster/tenants/accounts/${ACCOUNT}/users?after=x`, '/_roster/tenants/search?q=']) {
      const res = await inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
    }
    const paths = Object.keys((await inject({ method: 'GET', url: '/_roster/openapi.json' })).json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/_roster/tenants/summary', '/_roster/tenants/accounts', '/_roster/tenants/accounts/{uuid}/users', '/_roster/tenants/stores/{id}/users', '/_roster/tenants/b2b/{storeHash}/companies/{id}/users', '/_roster/tenants/search']));
  });

  it('a fork has its own tenants', async () => {
    const fork = (await inject({ method: 'POST', url: '/_roster/forks' })).json();
    expect((await addAccountUser(inject, `/f/${fork.id}`, 'only.in.fork@example.com')).statusCode).toBe(200);
    const inFork = (await inject({ method: 'GET', url: `/f/${fork.id}/_roster/tenants/search?q=only.in.fork%40example.com` })).json();
    const inMain = (await inject({ method: 'GET', url: '/_roster/tenants/search?q=only.in.fork%40example.com' })).json();
    expect(inFork.users).toHaveLength(1);
    expect(inMain.users).toHaveLength(0);
  });
});

describe('the console shell under the admin access rule', () => {
  it('open: the shell and its script are served; with a token: the shell still is, the data needs the token; off: neither', async () => {
    const open = await createAdminTestApp('sqlite');
    const guarded = await createAdminTestApp('sqlite', { admin: { enabled: true, token: 'shell-token' } });
    const off = await createAdminTestApp('sqlite', { admin: { enabled: false, token: undefined, reason: 'test' } });
    try {
      const shell = await open.app.inject({ method: 'GET', url: '/_roster/ui' });
      expect(shell.statusCode).toBe(200);
      expect(shell.headers['content-type']).toContain('text/html');
      expect(shell.body).toContain('ui/assets/console.js');
      expect(shell.body).not.toMatch(/https?:\/\//);
      const css = await open.app.inject({ method: 'GET', url: '/_roster/ui/assets/console.css' });
      expect(css.statusCode).toBe(200);
      expect((await open.app.inject({ method: 'GET', url: '/_roster/ui/assets/other.js' })).statusCode).toBe(404);

      expect((await guarded.app.inject({ method: 'GET', url: '/_roster/ui' })).statusCode).toBe(200);
      expect((await guarded.app.inject({ method: 'GET', url: '/_roster/tenants/summary' })).statusCode).toBe(401);
      expect((await guarded.app.inject({ method: 'GET', url: '/_roster/tenants/summary', headers: { authorization: 'Bearer shell-token' } })).statusCode).toBe(200);

      expect((await off.app.inject({ method: 'GET', url: '/_roster/ui' })).statusCode).toBe(404);
      expect((await off.app.inject({ method: 'GET', url: '/_roster/ui/assets/console.js' })).statusCode).toBe(404);
      // off: /_roster is not served at all
      expect((await off.app.inject({ method: 'GET', url: '/_roster/tenants/summary' })).statusCode).toBe(404);
    } finally {
      await Promise.all([open.close(), guarded.close(), off.close()]);
    }
  });
});
