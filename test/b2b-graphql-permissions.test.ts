import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREAT_BUYS, GREAT_BUYS_WEST, RIVAL, b2bGraphqlFixture, people, postman, signIn } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The REST permission matrix through GraphQL (b2b-users-rest.md §7, §13 #7-#11, §14 #10, #18,
 * #22-#26): every kind of caller × every user operation × a target in the caller's own Company, its
 * subsidiary, another Company, and the caller themself. Outcomes are the REST statuses as
 * `extensions.code` (HTTP 200), and refused writes leave the data as it was.
 */
type Op = 'list' | 'get' | 'create' | 'update' | 'delete' | 'emailCheck' | 'roles' | 'userCompany';
type Rel = 'own' | 'sub' | 'other' | 'self';
type Outcome = 'ok' | 403 | 404 | 422;

const ops: Op[] = ['list', 'get', 'create', 'update', 'delete', 'emailCheck', 'roles', 'userCompany'];
const userCodes = ['get_users', 'get_user_detail', 'create_user', 'update_user', 'delete_user', 'get_roles'] as const;
const codeOf: Record<Op, string> = {
  list: 'get_users',
  get: 'get_user_detail',
  create: 'create_user',
  update: 'update_user',
  delete: 'delete_user',
  emailCheck: 'create_user',
  roles: 'get_roles',
  userCompany: 'get_user_detail',
};

interface Caller {
  email: string;
  /** null: a B2C customer */
  userId: number | null;
  companyId: number | null;
  /** may use user endpoints at all: a Company user of an approved Company, not a Super Admin outside masquerade */
  active: boolean;
  levels: Partial<Record<(typeof userCodes)[number], number>>;
}

const allAt = (level: number) => Object.fromEntries(userCodes.map((c) => [c, level]));
const callers: Record<string, Caller> = {
  admin: { email: people.admin.email, userId: people.admin.id, companyId: GREAT_BUYS, active: true, levels: allAt(2) },
  seniorBuyer: { email: people.senior.email, userId: people.senior.id, companyId: GREAT_BUYS, active: true, levels: {} },
  juniorBuyer: { email: people.junior.email, userId: people.junior.id, companyId: GREAT_BUYS, active: true, levels: {} },
  customUserManager: {
    email: people.userManager.email,
    userId: people.userManager.id,
    companyId: GREAT_BUYS,
    active: true,
    levels: { get_users: 2, get_user_detail: 2, create_user: 2, update_user: 2 },
  },
  customGroupManager: { email: people.groupManager.email, userId: people.groupManager.id, companyId: GREAT_BUYS, active: true, levels: allAt(3) },
  subsidiaryAdmin: { email: people.westAdmin.email, userId: people.westAdmin.id, companyId: GREAT_BUYS_WEST, active: true, levels: allAt(2) },
  pendingCompanyAdmin: { email: people.pendingAdmin.email, userId: people.pendingAdmin.id, companyId: 334455, active: false, levels: allAt(2) },
  superAdminNotMasquerading: { email: people.superAdmin.email, userId: people.superAdmin.id, companyId: GREAT_BUYS, active: false, levels: {} },
  b2cCustomer: { email: people.b2cCustomer.email, userId: null, companyId: null, active: false, levels: {} },
};

/** target Companies with a user in each who is never the caller */
const companies = { greatBuys: { id: GREAT_BUYS, peer: people.senior.id }, west: { id: GREAT_BUYS_WEST, peer: people.westAdmin.id }, rival: { id: RIVAL, peer: people.rivalAdmin.id } };
const subsidiaries: Record<number, number[]> = { [GREAT_BUYS]: [GREAT_BUYS_WEST] };

function relation(caller: Caller, companyId: number): Rel {
  if (caller.companyId === companyId) return 'own';
  if (caller.companyId !== null && subsidiaries[caller.companyId]?.includes(companyId)) return 'sub';
  return 'other';
}

/** The policy REST applies, stated once for the whole matrix. */
function expected(caller: Caller, op: Op, rel: Rel): Outcome {
  if (op === 'userCompany' && rel === 'self' && caller.userId !== null) return 'ok'; // your own Company, always (§14 #11, #26)
  if (!caller.active) return 403;
  const level = caller.levels[codeOf[op] as (typeof userCodes)[number]];
  if (level === undefined) return 403;
  if (op === 'roles' || op === 'emailCheck') return 'ok';
  const inScope = rel === 'own' || rel === 'self' || (rel === 'sub' && level === 3);
  if (!inScope) return op === 'create' ? 403 : 404;
  if (op === 'delete' && rel === 'self') return 422;
  return 'ok';
}

interface Case {
  callerName: string;
  op: Op;
  rel: Rel;
  companyId: number;
  /** the target user (for get/update/delete/userCompany); a fresh victim for delete */
  userId: number | 'victim';
  outcome: Outcome;
}

const cases: Case[] = [];
for (const [callerName, caller] of Object.entries(callers)) {
  for (const op of ops) {
    for (const company of Object.values(companies)) {
      if (company.peer === caller.userId) continue;
      const rel = relation(caller, company.id);
      cases.push({ callerName, op, rel, companyId: company.id, userId: op === 'delete' ? 'victim' : company.peer, outcome: expected(caller, op, rel) });
    }
    if (caller.userId !== null && caller.companyId !== null) {
      cases.push({ callerName, op, rel: 'self', companyId: caller.companyId, userId: caller.userId, outcome: expected(caller, op, 'self') });
    }
  }
}

const documents: Record<Op, string> = {
  list: 'query ($companyId: Int!) { users(companyId: $companyId, first: 5) { totalCount edges { node { id } } } }',
  get: 'query ($companyId: Int!, $userId: Int!) { user(companyId: $companyId, userId: $userId) { id email } }',
  create:
    'mutation ($companyId: Int!, $email: String!) { userCreate(userData: { companyId: $companyId, email: $email, firstName: "Matrix", lastName: "Made", companyRoleId: 2 }) { user { id email } } }',
  update: 'mutation ($companyId: Int!, $userId: Int!, $firstName: String) { userUpdate(userData: { companyId: $companyId, userId: $userId, firstName: $firstName }) { user { id firstName } } }',
  delete: 'mutation ($companyId: Int!, $userId: Int!) { userDelete(companyId: $companyId, userId: $userId) { message } }',
  emailCheck: 'query ($email: String!, $companyId: Int) { userEmailCheck(email: $email, companyId: $companyId) { userType } }',
  roles: 'query { companyRoles { totalCount edges { node { id name } } } }',
  userCompany: 'query ($userId: Int!) { userCompany(userId: $userId) { id companyName } }',
};

const messages: Record<number, RegExp> = {
  403: /^You do not have permission to perform this action\.$/,
  404: /^(User|Company) matching query does not exist\.$/,
  422: /^You can not delete yourself\.$/,
};

describe.each(dialects)('B2B GraphQL permission matrix on %s', (dialect) => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  /** who may read and seed each Company for the state checks: its own admin */
  const adminOf: Record<number, string> = {};
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: b2bGraphqlFixture() });
    for (const [name, caller] of Object.entries(callers)) tokens[name] = await signIn(t.app, caller.email);
    adminOf[GREAT_BUYS] = tokens.admin as string;
    adminOf[GREAT_BUYS_WEST] = tokens.subsidiaryAdmin as string;
    adminOf[RIVAL] = await signIn(t.app, people.rivalAdmin.email);
  });
  afterAll(async () => t.close());

  async function readUser(companyId: number, userId: number) {
    const res = await postman(t.app, adminOf[companyId], documents.get, { companyId, userId });
    return res.body.data?.user ?? null;
  }

  async function seedVictim(companyId: number): Promise<number> {
    serial += 1;
    const res = await postman(t.app, adminOf[companyId], documents.create, { companyId, email: `victim${serial}@matrix.example` });
    const id = res.body.data?.userCreate?.user?.id;
    if (typeof id !== 'string') throw new Error(`could not seed a victim in ${companyId}: ${res.raw}`);
    return Number(id);
  }

  it('covers every caller, operation and target', () => {
    expect(cases.length).toBeGreaterThan(200);
    for (const rel of ['own', 'sub', 'other', 'self'] as const) expect(cases.some((c) => c.rel === rel && c.outcome === 'ok')).toBe(true);
    for (const code of [403, 404, 422] as const) expect(cases.some((c) => c.outcome === code)).toBe(true);
  });

  it.each(cases.map((c) => [`${c.callerName} ${c.op} ${c.rel}${c.rel === 'self' ? '' : ` (${c.companyId})`} → ${c.outcome}`, c] as const))('%s', async (_label, c) => {
    serial += 1;
    const caller = callers[c.callerName] as Caller;
    const userId = c.userId === 'victim' ? (c.rel === 'self' ? (caller.userId as number) : await seedVictim(c.companyId)) : c.userId;
    const email = `matrix${serial}@matrix.example`;
    const firstName = `Changed${serial}`;
    const variables: Record<Op, Record<string, unknown>> = {
      list: { companyId: c.companyId },
      get: { companyId: c.companyId, userId },
      create: { companyId: c.companyId, email },
      update: { companyId: c.companyId, userId, firstName },
      delete: { companyId: c.companyId, userId },
      emailCheck: { email: people.rivalAdmin.email, companyId: c.companyId },
      roles: {},
      userCompany: { userId },
    };
    const before = c.op === 'update' || c.op === 'delete' ? await readUser(c.companyId, userId) : null;

    const res = await postman(t.app, tokens[c.callerName], documents[c.op], variables[c.op]);
    expect(res.status).toBe(200);
    const field = { list: 'users', get: 'user', create: 'userCreate', update: 'userUpdate', delete: 'userDelete', emailCheck: 'userEmailCheck', roles: 'companyRoles', userCompany: 'userCompany' }[c.op];

    if (c.outcome === 'ok') {
      expect(res.body).not.toHaveProperty('errors');
      expect(res.body.data[field]).not.toBeNull();
    } else {
      expect(res.body.data).toEqual({ [field]: null });
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions).toEqual({ code: c.outcome });
      expect(res.body.errors[0].message).toMatch(messages[c.outcome] as RegExp);
    }

    // the state afterwards, read by the target Company's own admin
    if (c.op === 'create') {
      const found = await postman(t.app, tokens.admin, documents.emailCheck, { email, companyId: GREAT_BUYS });
      expect(found.body.data.userEmailCheck.userType).toBe(c.outcome === 'ok' ? (c.companyId === GREAT_BUYS ? 5 : 4) : 1);
    }
    if (c.op === 'update' && before) {
      const after = await readUser(c.companyId, userId);
      if (c.outcome === 'ok') expect(after).toMatchObject({ id: String(userId), email: before.email });
      const firstNameNow = (await postman(t.app, adminOf[c.companyId], 'query ($c: Int!, $u: Int!) { user(companyId: $c, userId: $u) { firstName } }', { c: c.companyId, u: userId })).body.data.user.firstName;
      if (c.outcome === 'ok') expect(firstNameNow).toBe(firstName);
      else expect(firstNameNow).not.toBe(firstName);
    }
    if (c.op === 'delete' && before) {
      const after = await readUser(c.companyId, userId);
      if (c.outcome === 'ok') expect(after).toBeNull();
      else expect(after).toEqual(before);
    }
    if (c.op === 'userCompany' && c.outcome === 'ok') {
      expect(res.body.data.userCompany.id).toBe(String(c.rel === 'self' ? caller.companyId : c.companyId));
    }
  });
});
