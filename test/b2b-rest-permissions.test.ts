import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, b2bDigest, STORE, tokenFor } from './b2b-rest-helpers.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The permission matrix of b2b-users-rest.md §7, §13 #7-#11 and §14 #10-#11, generated as a table:
 * every actor × every endpoint × every target scope (self, own Company, subsidiary 123457 of
 * 123456, other Company 223344). The expected answer comes from a small oracle written from the
 * spec (not from the implementation); refusals must leave every B2B row unchanged.
 */
type Code = 'get_users' | 'get_user_detail' | 'create_user' | 'update_user' | 'delete_user';
type Scope = 'self' | 'own' | 'subsidiary' | 'other';

interface Actor {
  name: string;
  /** null: a B2C customer */
  id: number | null;
  bcId: number;
  email: string;
  /** company user usable at all: approved Company, not a Super Admin without masquerade */
  active: boolean;
  levels: Partial<Record<Code, 2 | 3>>;
}

const allUserCodes = (level: 2 | 3): Partial<Record<Code, 2 | 3>> => ({ get_users: level, get_user_detail: level, create_user: level, update_user: level, delete_user: level });

const actors: Actor[] = [
  { name: 'Admin', id: 123, bcId: 322, email: 'm.curie@greatbuys.com', active: true, levels: allUserCodes(2) },
  { name: 'Senior Buyer', id: 124, bcId: 323, email: 'p.curie@greatbuys.com', active: true, levels: {} },
  { name: 'Junior Buyer', id: 125, bcId: 324, email: 'i.joliot@greatbuys.com', active: true, levels: {} },
  {
    name: 'custom role 5 (User Manager)',
    id: 126,
    bcId: 325,
    email: 'e.curie@greatbuys.com',
    active: true,
    levels: { get_users: 2, get_user_detail: 2, create_user: 2, update_user: 2 },
  },
  { name: 'custom role 6 (level 3)', id: 129, bcId: 341, email: 'group.manager@greatbuys.com', active: true, levels: allUserCodes(3) },
  { name: 'Super Admin not masquerading', id: 130, bcId: 342, email: 'super@greatbuys.com', active: false, levels: {} },
  { name: 'Admin of a pending Company', id: 300, bcId: 500, email: 'admin@pending.example', active: false, levels: allUserCodes(2) },
  { name: 'B2C customer', id: null, bcId: 321, email: 'walk.in@example.com', active: false, levels: {} },
];

function matrixFixture(): unknown {
  const fixture = cloneDemo<{ b2b: { stores: { roles: unknown[]; companies: { id: number; users: unknown[] }[] }[] } }>();
  const store = fixture.b2b.stores[0];
  if (!store) throw new Error('demo fixture has no B2B store');
  store.roles.push({
    id: 6,
    name: 'Group Manager',
    permissions: ['get_users', 'get_user_detail', 'create_user', 'update_user', 'delete_user', 'get_roles'].map((code) => ({ code, permissionLevel: 3 })),
  });
  const company = (id: number) => {
    const found = store.companies.find((c) => c.id === id);
    if (!found) throw new Error(`no company ${id}`);
    return found;
  };
  company(123456).users.push(
    { id: 129, bcId: 341, email: 'group.manager@greatbuys.com', firstName: 'Grace', lastName: 'Manager', phoneNumber: '', role: 2, companyRoleId: 6 },
    { id: 130, bcId: 342, email: 'super@greatbuys.com', firstName: 'Sue', lastName: 'Per', phoneNumber: '', role: 3 },
  );
  company(123457).users.push({ id: 128, bcId: 340, email: 'sub.buyer@greatbuys.com', firstName: 'Sub', lastName: 'Buyer', phoneNumber: '', role: 2 });
  return fixture;
}

const companyOf: Record<Exclude<Scope, 'self'>, number> = { own: 123456, subsidiary: 123457, other: 223344 };
function targetUser(actor: Actor, scope: Scope): number {
  if (scope === 'self') return actor.id ?? 321;
  if (scope === 'own') return actor.id === 124 ? 125 : 124;
  return scope === 'subsidiary' ? 128 : 200;
}

type Endpoint = 'list own' | 'list company' | 'get user' | 'update user' | 'delete user' | 'create user' | 'check e-mail' | 'existence' | 'user company';
const codeOf: Record<Endpoint, Code> = {
  'list own': 'get_users',
  'list company': 'get_users',
  'get user': 'get_user_detail',
  'update user': 'update_user',
  'delete user': 'delete_user',
  'create user': 'create_user',
  'check e-mail': 'create_user',
  existence: 'create_user',
  'user company': 'get_user_detail',
};
const scopesOf: Record<Endpoint, Scope[]> = {
  'list own': ['own'],
  'list company': ['own', 'subsidiary', 'other'],
  'get user': ['self', 'own', 'subsidiary', 'other'],
  'update user': ['self', 'own', 'subsidiary', 'other'],
  'delete user': ['self', 'own', 'subsidiary', 'other'],
  'create user': ['own', 'subsidiary', 'other'],
  'check e-mail': ['own'],
  existence: ['own'],
  'user company': ['self', 'own', 'subsidiary', 'other'],
};

/** The oracle: 200 allowed, 403 no permission, 404 out of scope, 422 business rule (deleting yourself). */
function expected(actor: Actor, endpoint: Endpoint, scope: Scope): 200 | 403 | 404 | 422 {
  if (endpoint === 'user company' && scope === 'self' && actor.id !== null) return 200; // §14 #11
  if (!actor.active) return 403;
  const level = actor.levels[codeOf[endpoint]];
  if (level === undefined) return 403;
  const inScope = scope === 'self' || scope === 'own' || (scope === 'subsidiary' && level === 3);
  if (endpoint === 'create user') return inScope ? 200 : 403; // §13 #11
  if (!inScope) return 404; // §13 #8
  if (endpoint === 'delete user' && scope === 'self') return 422;
  return 200;
}

interface Cell {
  actor: Actor;
  endpoint: Endpoint;
  scope: Scope;
  status: 200 | 403 | 404 | 422;
}

const cells: Cell[] = [];
for (const actor of actors) {
  for (const endpoint of Object.keys(codeOf) as Endpoint[]) {
    for (const scope of scopesOf[endpoint]) {
      if (scope === 'self' && actor.id === null && endpoint !== 'user company') continue;
      cells.push({ actor, endpoint, scope, status: expected(actor, endpoint, scope) });
    }
  }
}

let emailCounter = 0;
async function request(t: TestApp, cell: Cell) {
  const token = tokenFor(t, { id: cell.actor.id, bcId: cell.actor.bcId, email: cell.actor.email });
  const headers = auth(token);
  const userId = targetUser(cell.actor, cell.scope);
  switch (cell.endpoint) {
    case 'list own':
      return t.app.inject({ method: 'GET', url: '/api/v2/users', headers });
    case 'list company':
      return t.app.inject({ method: 'GET', url: `/api/v2/companies/${companyOf[cell.scope as Exclude<Scope, 'self'>]}/users`, headers });
    case 'get user':
      return t.app.inject({ method: 'GET', url: `/api/v2/users/${userId}`, headers });
    case 'update user': {
      const row = await t.database.kysely.selectFrom('company_users').selectAll().where('id', '=', userId).executeTakeFirst();
      const payload = row
        ? { firstName: row.first_name, lastName: row.last_name, email: row.email, phoneNumber: row.phone, role: String(Math.min(Number(row.role), 2)), ...(row.company_role_id !== null ? { companyRoleId: String(row.company_role_id) } : {}) }
        : { firstName: 'X', lastName: 'Y', email: 'x@example.com', phoneNumber: '', role: '2' };
      return t.app.inject({ method: 'PUT', url: `/api/v2/users/${userId}`, headers, payload });
    }
    case 'delete user':
      return t.app.inject({ method: 'DELETE', url: `/api/v2/users/${userId}`, headers });
    case 'create user':
      emailCounter += 1;
      return t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers,
        payload: { companyId: String(companyOf[cell.scope as Exclude<Scope, 'self'>]), firstName: 'New', lastName: 'User', email: `new.user.${emailCounter}@example.com`, phoneNumber: '', role: '2' },
      });
    case 'check e-mail':
      return t.app.inject({ method: 'GET', url: `/api/v2/companies/validations/frontend/user-emails/someone@example.com?storeHash=${STORE}&role=2`, headers });
    case 'existence':
      return t.app.inject({ method: 'GET', url: `/api/v2/users/validations/existence?storeHash=${STORE}&email=p.curie@greatbuys.com`, headers });
    case 'user company':
      return t.app.inject({ method: 'GET', url: `/api/v2/customers/${userId}/companies`, headers });
  }
}

const notFoundText: Partial<Record<Endpoint, string>> = { 'list company': 'Company matching query does not exist.' };

describe.each(dialects)('B2B REST permission matrix on %s', (dialect) => {
  let shared: TestApp;
  beforeAll(async () => {
    shared = await createTestApp({ dialect, fixture: matrixFixture() });
  });
  afterAll(async () => shared.close());

  it('covers every actor, endpoint and scope', () => {
    expect(cells.length).toBeGreaterThan(150);
    for (const status of [200, 403, 404, 422]) expect(cells.some((c) => c.status === status)).toBe(true);
  });

  // deletions that succeed change the world: each runs in its own fresh copy
  const isDestructive = (cell: Cell) => cell.endpoint === 'delete user' && cell.status === 200;

  it.each(cells.filter((c) => !isDestructive(c)).map((c) => [`${c.actor.name} | ${c.endpoint} | ${c.scope} → ${c.status}`, c] as const))('%s', async (_name, cell) => {
    const before = await b2bDigest(shared);
    const res = await request(shared, cell);
    expect(res.statusCode, res.body).toBe(cell.status);
    const body = res.json();
    expect(body.code).toBe(cell.status);
    if (cell.status === 403) expect(body).toEqual({ code: 403, message: 'You do not have permission to perform this action.', data: { errMsg: 'You do not have permission to perform this action.' } });
    if (cell.status === 404) {
      const text = notFoundText[cell.endpoint] ?? 'User matching query does not exist.';
      expect(body).toEqual({ code: 404, message: text, data: { errMsg: text } });
    }
    if (cell.status === 422) expect(body.data.errMsg).toBe('You can not delete yourself.');
    if (cell.status !== 200 || cell.endpoint.startsWith('list') || cell.endpoint === 'get user' || cell.endpoint === 'user company' || cell.endpoint === 'check e-mail' || cell.endpoint === 'existence') {
      expect(await b2bDigest(shared)).toBe(before);
    }
  });

  it.each(cells.filter(isDestructive).map((c) => [`${c.actor.name} | ${c.endpoint} | ${c.scope} → ${c.status}`, c] as const))('%s', async (_name, cell) => {
    const t = await createTestApp({ dialect, fixture: matrixFixture() });
    try {
      const userId = targetUser(cell.actor, cell.scope);
      const res = await request(t, cell);
      expect(res.statusCode, res.body).toBe(200);
      const gone = await t.database.kysely.selectFrom('company_users').select('id').where('id', '=', userId).executeTakeFirst();
      expect(gone).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
