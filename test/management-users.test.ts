import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consistencyViolations } from './helpers/consistency.js';
import { dialects } from './helpers/dialects.js';
import {
  b2bGraphql,
  BULK_TOO_LARGE,
  CHANNELS,
  COMPANIES,
  clearWorldEvents,
  expectedUser,
  logicalError,
  type MgmtResponse,
  managementFixture,
  mgmt,
  NOW,
  NOW_S,
  OTHER_USERS,
  parameterError,
  PASSWORD,
  STORE,
  signInStorefront,
  stateDigest,
  storefront,
  storefrontToken,
  TOKENS,
  USER_KEYS,
  USER_KEYS_WITH_EXTRA,
  USER_NOT_FOUND,
  USERS,
  unix,
  usersList,
  usersOk,
  visibleUsersDesc,
  WALK_IN,
  WHOLESALE_CHANNEL,
  worldEvents,
} from './helpers/management-support.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * B2B Management API v3, Users family (b2b-management-rest.md §3-§4, §10, §11, §14): lists and their
 * filters against hand-computed expectations, reads, create (single and bulk), update and delete with
 * the exact texts of §4.10 and the state afterwards (read back here, through the storefront REST API
 * and B2B GraphQL), and racing creates across the three APIs. Every dialect.
 */

const ALL_IDS = visibleUsersDesc().map((u) => u.id); // [710, 701, 700, 300, 200, 127, 126, 125, 124, 123]

function expectBody(res: MgmtResponse, status: number, body: unknown, label = '') {
  expect(res.status, `${label} ${res.raw}`).toBe(status);
  // exact text: key order included (§14 #33)
  expect(res.raw, label).toBe(JSON.stringify(body));
}

const ids = (res: MgmtResponse): number[] => {
  expect(res.status, res.raw).toBe(200);
  return (res.body.data as { id: number }[]).map((u) => u.id);
};

const AT_LEAST_ONE_CHANNEL = 'At least one B2B storefront needs to be enabled for a Company user.';
const NOT_NULL = ['This field may not be null.'];
const NOT_BLANK = ['This field may not be blank.'];
const TOO_LONG = ['Ensure this field has no more than 150 characters.'];
const NOT_INTEGER = ['A valid integer is required.'];
const invalidPk = (value: string | number) => [`Invalid pk "${value}" - object does not exist.`];
const GREAT_BUYS = COMPANIES.greatBuys.id;
const RIVAL = COMPANIES.rival.id;

const USERS_GQL = 'query ($companyId: Int!) { users(companyId: $companyId, first: 50) { totalCount edges { node { id bcId email firstName role companyRoleId } } } }';

// ====================================================================== reads

describe.each(dialects)('Management users: reads on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW });
  });
  afterAll(async () => t?.close());

  describe('GET /users', () => {
    it('every user of every Company of the store, whatever its status; no Super Admin; id DESC; exact §4.1 items', async () => {
      const res = await mgmt(t, 'GET', '/users');
      expectBody(res, 200, usersList(visibleUsersDesc().map((u) => expectedUser(u)), { totalCount: 10, limit: 10, offset: 0 }));
      expect(ALL_IDS).toEqual([710, 701, 700, 300, 200, 127, 126, 125, 124, 123]);
      expect(Object.keys(res.body)).toEqual(['code', 'meta', 'data']);
      expect(Object.keys(res.body.meta)).toEqual(['message', 'pagination']);
      expect(Object.keys(res.body.meta.pagination)).toEqual(['totalCount', 'limit', 'offset']);
      for (const item of res.body.data) {
        expect(Object.keys(item)).toEqual([...USER_KEYS]);
        for (const key of ['id', 'companyId', 'role', 'companyRoleId', 'customerId', 'createdAt', 'updatedAt']) expect(Number.isInteger(item[key]), key).toBe(true);
        for (const channel of item.channelList) expect(Object.keys(channel)).toEqual(['channelId', 'channelName', 'iconUrl']);
      }
      // statuses 0, 1, 2 and 3 are all there
      const companies = new Set(res.body.data.map((u: { companyId: number }) => u.companyId));
      for (const c of [COMPANIES.pending, COMPANIES.greatBuys, COMPANIES.rejected, COMPANIES.inactive]) expect(companies.has(c.id), c.name).toBe(true);
    });

    it('types: phoneNumber "" when none, custom roles report role 2 with their id and name, channelList objects', async () => {
      const byId = new Map<number, any>((await mgmt(t, 'GET', '/users')).body.data.map((u: { id: number }) => [u.id, u]));
      expect(byId.get(USERS.userManager.id)).toMatchObject({ phoneNumber: '', role: 2, companyRoleId: 5, companyRoleName: 'User Manager' });
      expect(byId.get(USERS.rejectedViewer.id)).toMatchObject({ phoneNumber: '', role: 2, companyRoleId: 6, companyRoleName: 'Order Viewer' });
      expect(byId.get(USERS.junior.id)).toMatchObject({ role: 2, companyRoleId: 2, companyRoleName: 'Junior Buyer' });
      expect(byId.get(USERS.rejectedSenior.id).channelList).toEqual([CHANNELS.default, CHANNELS.wholesale]);
      expect(byId.get(USERS.inactiveAdmin.id).channelList).toEqual([CHANNELS.wholesale]);
      expect(byId.get(USERS.admin.id)).toMatchObject({ uuid: 'ext-123', createdAt: 1735689600, updatedAt: 1748736000 });
      expect(byId.has(720)).toBe(false);
    });

    it('paging is lenient (§3.3) and meta.pagination echoes the effective values', async () => {
      const cases: [Record<string, string | number | string[]>, number, number][] = [
        [{ limit: 3 }, 3, 0],
        [{ limit: 3, offset: 3 }, 3, 3],
        [{ limit: 3, offset: 9 }, 3, 9],
        [{ offset: 10 }, 10, 10],
        [{ offset: 500 }, 10, 500],
        [{ limit: 0 }, 10, 0],
        [{ limit: -5 }, 10, 0],
        [{ limit: 'abc' }, 10, 0],
        [{ limit: '2.5' }, 10, 0],
        [{ limit: 250 }, 250, 0],
        [{ limit: 251 }, 250, 0],
        [{ limit: 99999 }, 250, 0],
        [{ offset: -3 }, 10, 0],
        [{ offset: 'x' }, 10, 0],
        [{ limit: '', offset: '' }, 10, 0],
        // a repeated scalar: the last value wins (§14 #5)
        [{ limit: ['1', '2'] }, 2, 0],
      ];
      for (const [query, limit, offset] of cases) {
        const res = await mgmt(t, 'GET', '/users', { query });
        const label = JSON.stringify(query);
        expect(res.status, label).toBe(200);
        expect(res.body.meta, label).toEqual({ message: 'Success', pagination: { totalCount: 10, limit, offset } });
        expect(ids(res), label).toEqual(ALL_IDS.slice(offset, offset + limit));
      }
    });

    it('companyId: that Company only (no subsidiaries, no Super Admin); unknown → []; not an integer → 422', async () => {
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: GREAT_BUYS } }))).toEqual([126, 125, 124, 123]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: COMPANIES.greatBuysWest.id } }))).toEqual([127]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: COMPANIES.rejected.id } }))).toEqual([701, 700]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: COMPANIES.pending.id } }))).toEqual([300]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: `0${COMPANIES.inactive.id}` } }))).toEqual([710]);
      const empty = await mgmt(t, 'GET', '/users', { query: { companyId: 999999 } });
      expectBody(empty, 200, usersList([], { totalCount: 0, limit: 10, offset: 0 }));
      const paged = await mgmt(t, 'GET', '/users', { query: { companyId: GREAT_BUYS, limit: 2, offset: 1 } });
      expect(paged.body.meta.pagination).toEqual({ totalCount: 4, limit: 2, offset: 1 });
      expect(ids(paged)).toEqual([125, 124]);
      for (const bad of ['abc', '1.5', '12x', '-']) {
        expectBody(await mgmt(t, 'GET', '/users', { query: { companyId: bad } }), 422, parameterError({ companyId: NOT_INTEGER }), bad);
      }
    });

    it('roles: repeated, comma-separated and roles[] forms, union, 2 includes custom roles, "" = no filter', async () => {
      const admins = [710, 300, 200, 127, 123];
      const seniors = [700, 124];
      const juniors = [701, 126, 125];
      const cases: [Record<string, string | string[]>, number[]][] = [
        [{ roles: '0' }, admins],
        [{ roles: '1' }, seniors],
        [{ roles: '2' }, juniors],
        [{ roles: ['0', '1'] }, [710, 700, 300, 200, 127, 124, 123]],
        [{ roles: '0,1' }, [710, 700, 300, 200, 127, 124, 123]],
        [{ 'roles[]': ['0', '1'] }, [710, 700, 300, 200, 127, 124, 123]],
        [{ roles: ['1,2'] }, [701, 700, 126, 125, 124]],
        [{ roles: ['2', '0,1'] }, ALL_IDS],
        [{ roles: ['1', '1'] }, seniors],
        [{ roles: '' }, ALL_IDS],
      ];
      for (const [query, expected] of cases) {
        const res = await mgmt(t, 'GET', '/users', { query });
        expect(ids(res), JSON.stringify(query)).toEqual(expected);
        expect(res.body.meta.pagination.totalCount, JSON.stringify(query)).toBe(expected.length);
      }
      expect(ids(await mgmt(t, 'GET', '/users', { query: { roles: '2', companyId: GREAT_BUYS } }))).toEqual([126, 125]);
    });

    it('roles outside 0-2: 422 indexed over the flattened list', async () => {
      const choice = (v: string) => [`"${v}" is not a valid choice.`];
      const cases: [Record<string, string | string[]>, Record<string, string[]>][] = [
        [{ roles: '99' }, { 0: choice('99') }],
        [{ roles: '3' }, { 0: choice('3') }],
        [{ roles: '0,99' }, { 1: choice('99') }],
        [{ roles: ['0', '1,5', 'abc'] }, { 2: choice('5'), 3: choice('abc') }],
        [{ 'roles[]': ['2', '-1'] }, { 1: choice('-1') }],
      ];
      for (const [query, errors] of cases) {
        expectBody(await mgmt(t, 'GET', '/users', { query }), 422, parameterError({ roles: errors }), JSON.stringify(query));
      }
    });

    it('minModified / maxModified / minCreated / maxCreated are strict (unix seconds)', async () => {
      const june1 = unix('2025-06-01T00:00:00Z');
      const cases: [Record<string, number>, number[]][] = [
        // updated exactly on June 1 (123, 200) are not "later than"
        [{ minModified: june1 }, [710, 701, 700, 300, 127, 125]],
        [{ minModified: june1 - 1 }, [710, 701, 700, 300, 200, 127, 125, 123]],
        [{ maxModified: june1 }, [126, 124]],
        [{ maxModified: june1 + 1 }, [200, 126, 124, 123]],
        [{ minCreated: unix('2025-05-01T00:00:00Z') }, [710, 701, 700, 300, 200]],
        [{ maxCreated: unix('2025-03-01T00:00:00Z') }, [124, 123]],
        [{ minCreated: unix('2025-03-01T00:00:00Z'), maxCreated: unix('2025-07-01T00:00:00Z') }, [200, 127, 126]],
        [{ minModified: unix('2025-08-31T00:00:00Z'), maxCreated: unix('2025-09-01T00:00:00Z') }, [700, 300]],
        [{ minCreated: NOW_S }, []],
        [{ minCreated: -1 }, ALL_IDS],
      ];
      for (const [query, expected] of cases) {
        const res = await mgmt(t, 'GET', '/users', { query });
        expect(ids(res), JSON.stringify(query)).toEqual(expected);
        expect(res.body.meta.pagination.totalCount).toBe(expected.length);
      }
      for (const key of ['minModified', 'maxModified', 'minCreated', 'maxCreated']) {
        for (const bad of ['yesterday', '1.5', '2025-06-01']) {
          expectBody(await mgmt(t, 'GET', '/users', { query: { [key]: bad } }), 422, parameterError({ [key]: NOT_INTEGER }), `${key}=${bad}`);
        }
      }
      const two = await mgmt(t, 'GET', '/users', { query: { minModified: 'x', companyId: 'y' } });
      expect(two.status).toBe(422);
      expect(two.body).toEqual(parameterError({ minModified: NOT_INTEGER, companyId: NOT_INTEGER }));
    });

    it('email: exact match after trimming, case-insensitive; never a substring; Super Admins never', async () => {
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: USERS.admin.email } }))).toEqual([123]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: 'M.CURIE@GreatBuys.COM' } }))).toEqual([123]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: `  ${USERS.inactiveAdmin.email} ` } }))).toEqual([710]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: 'm.curie@greatbuys' } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: 'curie' } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: 'super.admin@greatbuys.com' } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: WALK_IN.email } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: OTHER_USERS.admin.email } }))).toEqual([]);
    });

    it('channelId: membership in the user\'s channel set', async () => {
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: WHOLESALE_CHANNEL } }))).toEqual([710, 700]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: 1 } }))).toEqual(ALL_IDS.filter((id) => id !== 710));
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: 77 } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: WHOLESALE_CHANNEL, roles: '1' } }))).toEqual([700]);
    });

    it('isIncludeExtraFields: 1 adds extraFields after channelList; 0 or absent leaves the key out; other values → 422', async () => {
      const withExtra = await mgmt(t, 'GET', '/users', { query: { isIncludeExtraFields: '1', limit: 250 } });
      expectBody(withExtra, 200, usersList(visibleUsersDesc().map((u) => expectedUser(u, { extraFields: true })), { totalCount: 10, limit: 250, offset: 0 }));
      for (const item of withExtra.body.data) expect(Object.keys(item)).toEqual([...USER_KEYS_WITH_EXTRA]);
      const byId = new Map<number, any>(withExtra.body.data.map((u: { id: number }) => [u.id, u]));
      expect(byId.get(710).extraFields).toEqual([
        { fieldName: 'Cost Center', fieldValue: 'CC-42' },
        { fieldName: 'Desk', fieldValue: '7B' },
      ]);
      expect(byId.get(124).extraFields).toEqual([]);
      const without = await mgmt(t, 'GET', '/users', { query: { isIncludeExtraFields: '0' } });
      expect(without.raw).toBe((await mgmt(t, 'GET', '/users')).raw);
      for (const item of without.body.data) expect('extraFields' in item).toBe(false);
      for (const bad of ['2', 'true', 'yes']) {
        expectBody(
          await mgmt(t, 'GET', '/users', { query: { isIncludeExtraFields: bad } }),
          422,
          parameterError({ isIncludeExtraFields: [`"${bad}" is not a valid choice.`] }),
          bad,
        );
      }
    });

    it('q: case-insensitive substring of Company name, e-mail, first, last and full name', async () => {
      const cases: [string, number[]][] = [
        ['curie', [126, 124, 123]],
        ['CURIE', [126, 124, 123]],
        ['marie curie', [123]],
        ['Ina Active', [710]],
        ['sam senior', [700]],
        ['OLGA', [701]],
        // Company names only
        ['imports', [710]],
        ['traders', [300]],
        ['great buys', [127, 126, 125, 124, 123]],
        ['rival supplies', [200]],
        // e-mail
        ['@rival.example', [200]],
        ['joliot@', [125]],
        ['nobody-matches-this', []],
        ['%', []],
        ['_', []],
      ];
      for (const [q, expected] of cases) expect(ids(await mgmt(t, 'GET', '/users', { query: { q } })), q).toEqual(expected);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { q: 'curie', roles: '0' } }))).toEqual([123]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { q: 'great buys', companyId: COMPANIES.greatBuysWest.id } }))).toEqual([127]);
      // Other store's Company and users are not searched
      expect(ids(await mgmt(t, 'GET', '/users', { query: { q: 'Other Store Co' } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { q: 'olive' } }))).toEqual([]);
    });

    it('all filters AND together; unknown parameters are ignored', async () => {
      const res = await mgmt(t, 'GET', '/users', {
        query: { companyId: GREAT_BUYS, roles: '2', q: 'curie', minCreated: unix('2025-01-01T00:00:00Z'), channelId: 1, sortBy: 'email', foo: 'bar' },
      });
      expect(ids(res)).toEqual([126]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { foo: 'bar', orderBy: 'ASC' } }))).toEqual(ALL_IDS);
    });

    it('the other store lists its own users only', async () => {
      const res = await mgmt(t, 'GET', '/users', { token: TOKENS.other, query: { isIncludeExtraFields: 1 } });
      expect(ids(res)).toEqual([901, 900]);
      expect(res.body.data[1]).toMatchObject({ companyId: COMPANIES.other.id, email: OTHER_USERS.admin.email, extraFields: [{ fieldName: 'Region', fieldValue: 'North' }] });
    });
  });

  describe('GET /users/{userId} and /users/customer/{customerId}', () => {
    it('each user with extraFields, the same body by customer id', async () => {
      for (const user of visibleUsersDesc()) {
        const expected = JSON.stringify(usersOk(expectedUser(user, { extraFields: true })));
        const byId = await mgmt(t, 'GET', `/users/${user.id}`);
        expect(byId.status, `${user.id}`).toBe(200);
        expect(byId.raw, `${user.id}`).toBe(expected);
        expect(Object.keys(byId.body.data)).toEqual([...USER_KEYS_WITH_EXTRA]);
        const byCustomer = await mgmt(t, 'GET', `/users/customer/${user.bcId}`);
        expect(byCustomer.raw, `customer ${user.bcId}`).toBe(expected);
      }
      // leading zeros are allowed (§3.5)
      expect((await mgmt(t, 'GET', '/users/0123')).raw).toBe(JSON.stringify(usersOk(expectedUser(USERS.admin, { extraFields: true }))));
      expect((await mgmt(t, 'GET', '/users/customer/00322')).body.data.id).toBe(123);
    });

    it('not found: unknown ids, malformed ids, 2^53, Super Admins, B2C customers, the other id kind, other stores', async () => {
      const userPaths = ['99999999', '4201abc', '-1', '1e3', '9007199254740992', '9007199254740991', '99999999999999999999', '%20', '12.0', '0x7b', '123abc', '720', '322'];
      for (const id of userPaths) expectBody(await mgmt(t, 'GET', `/users/${id}`), 404, USER_NOT_FOUND, `/users/${id}`);
      const customerPaths = ['99999999', '4201abc', '-1', '1e3', '9007199254740992', '%20', '820', `${WALK_IN.bcId}`, '123', `${OTHER_USERS.admin.bcId}`];
      for (const id of customerPaths) expectBody(await mgmt(t, 'GET', `/users/customer/${id}`), 404, USER_NOT_FOUND, `/users/customer/${id}`);
      expectBody(await mgmt(t, 'GET', `/users/${OTHER_USERS.admin.id}`), 404, USER_NOT_FOUND);
      expectBody(await mgmt(t, 'GET', `/users/${USERS.admin.id}`, { token: TOKENS.other }), 404, USER_NOT_FOUND);
    });
  });

  describe('GET /users/extra-fields', () => {
    it('derived configurations (none declared): every user field name of the store, optional text, 150', async () => {
      const res = await mgmt(t, 'GET', '/users/extra-fields');
      expect(res.status, res.raw).toBe(200);
      expect(Object.keys(res.body)).toEqual(['code', 'meta', 'data']);
      const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const config = (id: number, fieldName: string) => ({
        id,
        uuid,
        fieldName,
        fieldType: 0,
        isRequired: false,
        isUnique: false,
        visibleToEnduser: true,
        configType: 2,
        defaultValue: '',
        maximumLength: '150',
        numberOfRows: '',
        maximumValue: '',
        listOfValue: [],
      });
      expect(res.body).toEqual({
        code: 200,
        meta: { message: 'Success', pagination: { totalCount: 2, limit: 10, offset: 0 } },
        data: [config(1, 'Cost Center'), config(2, 'Desk')],
      });
      const [a, b] = res.body.data as { uuid: string }[];
      expect(a?.uuid).not.toBe(b?.uuid);
      // stable
      expect((await mgmt(t, 'GET', '/users/extra-fields')).raw).toBe(res.raw);
      const paged = await mgmt(t, 'GET', '/users/extra-fields', { query: { limit: 1, offset: 1 } });
      expect(paged.body.meta.pagination).toEqual({ totalCount: 2, limit: 1, offset: 1 });
      expect(paged.body.data.map((c: { fieldName: string }) => c.fieldName)).toEqual(['Desk']);
      // the other store has its own
      const other = await mgmt(t, 'GET', '/users/extra-fields', { token: TOKENS.other });
      expect(other.body.data.map((c: { fieldName: string }) => c.fieldName)).toEqual(['Region']);
    });
  });
});

// ====================================================================== create

describe.each(dialects)('Management users: create on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW });
    admin = storefrontToken(t, USERS.admin);
  });
  afterAll(async () => t?.close());

  const valid = (overrides: Record<string, unknown> = {}, omit: string[] = []) => {
    const body: Record<string, unknown> = { firstName: 'Val', lastName: 'Idation', email: 'val.idation@example.org', companyId: GREAT_BUYS, role: 2, channelIds: [1], ...overrides };
    for (const key of omit) delete body[key];
    return body;
  };

  async function create(body: unknown): Promise<{ userId: number; bcId: number }> {
    const res = await mgmt(t, 'POST', '/users', { body });
    expect(res.status, res.raw).toBe(200);
    return res.body.data;
  }

  describe('POST /users', () => {
    it('creates a user with a new customer: {userId, bcId}, read back through all three APIs', async () => {
      await clearWorldEvents(t);
      const res = await mgmt(t, 'POST', '/users', {
        body: {
          firstName: 'Nia',
          lastName: 'New',
          email: 'nia.new@greatbuys.com',
          phoneNumber: '5550001',
          companyId: GREAT_BUYS,
          role: 1,
          uuid: 'erp-nia',
          channelIds: [1],
          extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-9' }],
          acceptWelcomeEmail: true,
        },
      });
      expect(res.status, res.raw).toBe(200);
      const { userId, bcId } = res.body.data;
      expect(res.raw).toBe(JSON.stringify({ code: 200, meta: { message: 'Success' }, data: { userId, bcId } }));
      expect(Number.isInteger(userId) && Number.isInteger(bcId)).toBe(true);
      expect(userId).not.toBe(bcId);
      // ids continue above the fixture's highest of the store (§10.1); the customer is new
      expect(userId).toBeGreaterThan(820);
      expect(bcId).toBeGreaterThan(820);
      const expected = {
        id: userId,
        companyId: GREAT_BUYS,
        firstName: 'Nia',
        lastName: 'New',
        email: 'nia.new@greatbuys.com',
        phoneNumber: '5550001',
        role: 1,
        companyRoleId: 1,
        companyRoleName: 'Senior Buyer',
        uuid: 'erp-nia',
        customerId: bcId,
        channelList: [CHANNELS.default],
        extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-9' }],
        createdAt: NOW_S,
        updatedAt: NOW_S,
      };
      expectBody(await mgmt(t, 'GET', `/users/${userId}`), 200, usersOk(expected));
      expectBody(await mgmt(t, 'GET', `/users/customer/${bcId}`), 200, usersOk(expected));
      const { extraFields: _omitted, ...listed } = expected;
      expectBody(await mgmt(t, 'GET', '/users', { query: { email: 'nia.new@greatbuys.com' } }), 200, usersList([listed], { totalCount: 1, limit: 10, offset: 0 }));
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: GREAT_BUYS } }))[0]).toBe(userId);
      // storefront REST: listed at once for the Company's Admin, with the storefront's string types
      const list = await storefront(t, admin, 'GET', '/api/v2/users?q=nia.new');
      expect(list.status, list.raw).toBe(200);
      expect(list.body.data.list).toEqual([expect.objectContaining({ id: String(userId), email: 'nia.new@greatbuys.com', role: '1', firstName: 'Nia' })]);
      // B2B GraphQL
      const gql = await b2bGraphql(t, admin, USERS_GQL, { companyId: GREAT_BUYS });
      expect(gql.body.data.users.edges.map((e: { node: { id: string } }) => e.node)).toContainEqual(
        expect.objectContaining({ id: String(userId), bcId, email: 'nia.new@greatbuys.com' }),
      );
      // the new customer has no password: a storefront sign-in cannot succeed
      expect((await signInStorefront(t, 'nia.new@greatbuys.com', PASSWORD)).status).toBe(400);
      // one event
      const events = await worldEvents(t, 'company.user.created');
      expect(events.map((e) => e.subject)).toEqual([expect.objectContaining({ storeHash: STORE, companyId: GREAT_BUYS, userId })]);
    });

    it('links an existing B2C customer of the store: same bcId, names and phone overwritten, password kept', async () => {
      const { userId, bcId } = await create({
        firstName: 'Walker',
        lastName: 'Inman',
        email: WALK_IN.email,
        phoneNumber: '5550321',
        companyId: RIVAL,
        role: 2,
        channelIds: [1],
      });
      expect(bcId).toBe(WALK_IN.bcId);
      const read = await mgmt(t, 'GET', `/users/customer/${WALK_IN.bcId}`);
      expect(read.body.data).toMatchObject({ id: userId, companyId: RIVAL, firstName: 'Walker', lastName: 'Inman', email: WALK_IN.email, phoneNumber: '5550321', customerId: WALK_IN.bcId });
      const customer = await t.database.kysely.selectFrom('customers').select(['first_name', 'last_name', 'phone', 'email']).where('id', '=', WALK_IN.bcId).executeTakeFirstOrThrow();
      expect(customer).toEqual({ first_name: 'Walker', last_name: 'Inman', phone: '5550321', email: WALK_IN.email });
      // the password stays: the customer signs in, now as a Company user
      const signIn = await signInStorefront(t, WALK_IN.email, WALK_IN.password);
      expect(signIn.status, signIn.raw).toBe(200);
      // the other store's customer with the same e-mail is untouched
      const other = await t.database.kysely.selectFrom('customers').select(['first_name']).where('id', '=', 960).executeTakeFirstOrThrow();
      expect(other.first_name).toBe('Other');
    });

    it('companyRoleId alone, as the Postman lab does it (the Junior Buyer id from GET /companies/roles)', async () => {
      const roles = await mgmt(t, 'GET', '/companies/roles');
      expect(roles.status, roles.raw).toBe(200);
      const junior = (roles.body.data as { id: number; name: string }[]).find((r) => r.name === 'Junior Buyer');
      expect(typeof junior?.id).toBe('number');
      const { userId } = await create({ firstName: 'Lab', lastName: 'Junior', email: 'lab.junior@greatbuys.com', companyId: GREAT_BUYS, companyRoleId: junior?.id, channelIds: [1] });
      expect((await mgmt(t, 'GET', `/users/${userId}`)).body.data).toMatchObject({ role: 2, companyRoleId: 2, companyRoleName: 'Junior Buyer', phoneNumber: '', uuid: '' });
    });

    it('role and companyRoleId: companyRoleId wins, null counts as absent, custom roles report role 2, numeric strings accepted', async () => {
      const cases: [Record<string, unknown>, { role: number; companyRoleId: number; companyRoleName: string }][] = [
        [{ role: 0, companyRoleId: 1 }, { role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer' }],
        [{ role: 0, companyRoleId: null }, { role: 0, companyRoleId: 0, companyRoleName: 'Admin' }],
        [{ companyRoleId: 6 }, { role: 2, companyRoleId: 6, companyRoleName: 'Order Viewer' }],
        [{ role: 1, companyRoleId: '5' }, { role: 2, companyRoleId: 5, companyRoleName: 'User Manager' }],
        [{ role: '1' }, { role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer' }],
        [{ role: '2', companyRoleId: 0 }, { role: 0, companyRoleId: 0, companyRoleName: 'Admin' }],
      ];
      let n = 0;
      for (const [roleFields, expected] of cases) {
        n += 1;
        const body = { ...valid({ email: `role.case.${n}@example.org` }, ['role']), ...roleFields };
        const { userId } = await create(body);
        expect((await mgmt(t, 'GET', `/users/${userId}`)).body.data, JSON.stringify(roleFields)).toMatchObject(expected);
      }
    });

    it('channels: channelList ascending by id whatever the input order; originChannelId defaults to the first of channelIds', async () => {
      const { userId } = await create(valid({ email: 'two.channels@example.org', channelIds: [WHOLESALE_CHANNEL, 1] }));
      expect((await mgmt(t, 'GET', `/users/${userId}`)).body.data.channelList).toEqual([CHANNELS.default, CHANNELS.wholesale]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: WHOLESALE_CHANNEL, companyId: GREAT_BUYS } }))).toEqual([userId]);
      const check = await b2bGraphql(t, admin, 'query ($email: String!, $companyId: Int) { userEmailCheck(email: $email, companyId: $companyId) { userInfo { originChannelId } } }', {
        email: 'two.channels@example.org',
        companyId: GREAT_BUYS,
      });
      expect(check.body.data.userEmailCheck.userInfo.originChannelId).toBe(WHOLESALE_CHANNEL);
      const explicit = await create(valid({ email: 'origin.one@example.org', channelIds: [WHOLESALE_CHANNEL, 1], originChannelId: 1 }));
      const checkExplicit = await b2bGraphql(t, admin, 'query ($email: String!, $companyId: Int) { userEmailCheck(email: $email, companyId: $companyId) { userInfo { originChannelId } } }', {
        email: 'origin.one@example.org',
        companyId: GREAT_BUYS,
      });
      expect(checkExplicit.body.data.userEmailCheck.userInfo.originChannelId).toBe(1);
      expect(explicit.userId).toBeGreaterThan(userId);
      // 0 unsets it: accepted whatever channelIds holds
      await create(valid({ email: 'origin.zero@example.org', channelIds: [WHOLESALE_CHANNEL], originChannelId: 0 }));
      // originChannelId is never returned
      expect('originChannelId' in (await mgmt(t, 'GET', `/users/${userId}`)).body.data).toBe(false);
    });

    it('the Company\'s status does not matter (pending, rejected, inactive)', async () => {
      for (const company of [COMPANIES.pending, COMPANIES.rejected, COMPANIES.inactive]) {
        const { userId } = await create(valid({ email: `status.${company.status}@example.org`, companyId: company.id }));
        expect((await mgmt(t, 'GET', `/users/${userId}`)).body.data.companyId).toBe(company.id);
      }
    });

    it('§4.10 field errors (POST column): exact texts, nothing written', async () => {
      const choice = (v: string) => [`"${v}" is not a valid choice.`];
      const cases: [string, unknown, Record<string, unknown>][] = [
        ['firstName missing', valid({}, ['firstName']), { firstName: NOT_NULL }],
        ['lastName missing', valid({}, ['lastName']), { lastName: NOT_NULL }],
        ['email missing', valid({}, ['email']), { email: NOT_NULL }],
        ['companyId missing', valid({}, ['companyId']), { companyId: NOT_NULL }],
        ['firstName null', valid({ firstName: null }), { firstName: NOT_NULL }],
        ['email null', valid({ email: null }), { email: NOT_NULL }],
        ['companyId null', valid({ companyId: null }), { companyId: NOT_NULL }],
        ['firstName spaces', valid({ firstName: '   ' }), { firstName: NOT_BLANK }],
        ['lastName empty', valid({ lastName: '' }), { lastName: NOT_BLANK }],
        ['email empty', valid({ email: '' }), { email: NOT_BLANK }],
        ['firstName 151', valid({ firstName: 'f'.repeat(151) }), { firstName: TOO_LONG }],
        ['lastName 151', valid({ lastName: 'l'.repeat(151) }), { lastName: TOO_LONG }],
        ['email 151', valid({ email: `${'e'.repeat(139)}@example.org` }), { email: TOO_LONG }],
        ['phoneNumber 151', valid({ phoneNumber: '1'.repeat(151) }), { phoneNumber: TOO_LONG }],
        ['uuid 256', valid({ uuid: 'u'.repeat(256) }), { uuid: ['Ensure this field has no more than 255 characters.'] }],
        ['bad e-mail', valid({ email: 'not-an-email' }), { email: ['Email is not correct.'] }],
        ['bad e-mail 2', valid({ email: 'a@' }), { email: ['Email is not correct.'] }],
        ['role 5', valid({ role: 5 }), { role: choice('5') }],
        ['role 3', valid({ role: 3 }), { role: choice('3') }],
        ['role text', valid({ role: 'boss' }), { role: choice('boss') }],
        ['companyId text', valid({ companyId: 'abc' }), { companyId: NOT_INTEGER }],
        ['companyId 1.5', valid({ companyId: 1.5 }), { companyId: NOT_INTEGER }],
        ['companyRoleId text', valid({ companyRoleId: 'x' }), { companyRoleId: NOT_INTEGER }],
        ['acceptWelcomeEmail', valid({ acceptWelcomeEmail: 'maybe' }), { acceptWelcomeEmail: ['Must be a valid boolean.'] }],
        ['acceptWelcomeEmail 2', valid({ acceptWelcomeEmail: 2 }), { acceptWelcomeEmail: ['Must be a valid boolean.'] }],
        ['unknown Company', valid({ companyId: 999999 }), { companyId: invalidPk(999999) }],
        ['other store\'s Company', valid({ companyId: COMPANIES.other.id }), { companyId: invalidPk(COMPANIES.other.id) }],
        ['unknown role id', valid({ companyRoleId: 99 }), { companyRoleId: invalidPk(99) }],
        ['channelIds not a list', valid({ channelIds: 1 }), { channelIds: ['Expected a list of items but got type "int".'] }],
        ['unknown channel', valid({ channelIds: [1, 99] }), { channelIds: { 1: invalidPk(99) } }],
        ['origin outside channelIds', valid({ channelIds: [1], originChannelId: WHOLESALE_CHANNEL }), { originChannelId: ['Origin channel must be one of channelIds.'] }],
        ['extra field without a name', valid({ extraFields: [{ fieldValue: 'x' }] }), { extraFields: ['The extra field name is required.'] }],
        // §14 #22: with no declared configs, values are at most 150 characters (the derived text config of §8)
        ['extra field value 151', valid({ extraFields: [{ fieldName: 'Cost Center', fieldValue: 'v'.repeat(151) }] }), { extraFields: ['The value of extra field "Cost Center" is invalid.'] }],
        ['no role at all', valid({}, ['role']), { non_field_errors: ['User must have a role.'] }],
        // non_field_errors only when every field is valid
        ['no role and a bad e-mail', valid({ email: 'bad' }, ['role']), { email: ['Email is not correct.'] }],
        ['empty object', {}, { firstName: NOT_NULL, lastName: NOT_NULL, email: NOT_NULL, companyId: NOT_NULL }],
        ['a list', [valid()], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
        [
          'every field wrong: keys in the fixed order',
          {
            acceptWelcomeEmail: 'x',
            originChannelId: 'y',
            channelIds: 5,
            uuid: 'u'.repeat(256),
            role: 9,
            companyId: 'abc',
            phoneNumber: 'p'.repeat(151),
            email: 'bad',
            lastName: 'Fine',
            firstName: '',
          },
          {
            firstName: NOT_BLANK,
            email: ['Email is not correct.'],
            phoneNumber: TOO_LONG,
            companyId: NOT_INTEGER,
            role: choice('9'),
            uuid: ['Ensure this field has no more than 255 characters.'],
            channelIds: ['Expected a list of items but got type "int".'],
            originChannelId: NOT_INTEGER,
            acceptWelcomeEmail: ['Must be a valid boolean.'],
          },
        ],
      ];
      const before = await stateDigest(t);
      for (const [label, body, errMsg] of cases) {
        expectBody(await mgmt(t, 'POST', '/users', { body }), 422, parameterError(errMsg), label);
      }
      // an empty body is {}
      expectBody(
        await mgmt(t, 'POST', '/users', { rawBody: '', headers: { 'content-type': 'application/json' } }),
        422,
        parameterError({ firstName: NOT_NULL, lastName: NOT_NULL, email: NOT_NULL, companyId: NOT_NULL }),
        'empty body',
      );
      expect(await stateDigest(t)).toBe(before);
    });

    it('boundaries are accepted: 150 characters, 255 for uuid, integral floats and numeric strings', async () => {
      const { userId } = await create(
        valid({
          email: 'boundary@example.org',
          firstName: 'f'.repeat(150),
          lastName: 'l'.repeat(150),
          phoneNumber: '1'.repeat(150),
          uuid: 'u'.repeat(255),
          companyId: String(GREAT_BUYS),
          channelIds: ['1'],
          acceptWelcomeEmail: 'false',
        }),
      );
      expect((await mgmt(t, 'GET', `/users/${userId}`)).body.data).toMatchObject({ firstName: 'f'.repeat(150), uuid: 'u'.repeat(255), companyId: GREAT_BUYS, channelList: [CHANNELS.default] });
    });

    it('logical errors: channelIds missing or [], e-mail already used (as sent); field errors first', async () => {
      const before = await stateDigest(t);
      expectBody(await mgmt(t, 'POST', '/users', { body: valid({}, ['channelIds']) }), 422, logicalError(AT_LEAST_ONE_CHANNEL), 'missing');
      expectBody(await mgmt(t, 'POST', '/users', { body: valid({ channelIds: [] }) }), 422, logicalError(AT_LEAST_ONE_CHANNEL), '[]');
      for (const email of ['P.Curie@GreatBuys.com', USERS.senior.email, USERS.rivalAdmin.email, USERS.inactiveAdmin.email.toUpperCase()]) {
        expectBody(await mgmt(t, 'POST', '/users', { body: valid({ email }) }), 422, logicalError(`Email already exists. ['${email}']`), email);
      }
      // in another Company of the store: still taken (§14 #10)
      expectBody(
        await mgmt(t, 'POST', '/users', { body: valid({ email: USERS.admin.email, companyId: RIVAL }) }),
        422,
        logicalError(`Email already exists. ['${USERS.admin.email}']`),
      );
      // a field error wins over both logical errors
      expectBody(
        await mgmt(t, 'POST', '/users', { body: valid({ email: USERS.senior.email, firstName: '', channelIds: [] }) }),
        422,
        parameterError({ firstName: NOT_BLANK }),
      );
      expect(await stateDigest(t)).toBe(before);
      // an e-mail of the other store is free here
      await create(valid({ email: OTHER_USERS.admin.email }));
    });

    it('a storefront-created user (REST and GraphQL) is listed by the Management API at once', async () => {
      const rest = await storefront(t, admin, 'POST', '/api/v2/users', {
        companyId: String(GREAT_BUYS),
        firstName: 'Store',
        lastName: 'Front',
        email: 'store.front@greatbuys.com',
        phoneNumber: '',
        role: '2',
      });
      expect(rest.status, rest.raw).toBe(200);
      const userId = Number(rest.body.data.userId);
      const bcId = Number(rest.body.data.bcId);
      const listed = await mgmt(t, 'GET', '/users', { query: { email: 'store.front@greatbuys.com' } });
      expectBody(
        listed,
        200,
        usersList(
          [
            {
              id: userId,
              companyId: GREAT_BUYS,
              firstName: 'Store',
              lastName: 'Front',
              email: 'store.front@greatbuys.com',
              phoneNumber: '',
              role: 2,
              companyRoleId: 2,
              companyRoleName: 'Junior Buyer',
              uuid: '',
              customerId: bcId,
              channelList: [CHANNELS.default],
              createdAt: NOW_S,
              updatedAt: NOW_S,
            },
          ],
          { totalCount: 1, limit: 10, offset: 0 },
        ),
      );
      const gql = await b2bGraphql(
        t,
        admin,
        'mutation { userCreate(userData: { companyId: 123456, email: "graph.ql@greatbuys.com", firstName: "Graph", lastName: "Ql", companyRoleId: 5 }) { user { id bcId } } }',
      );
      expect(gql.body.errors, gql.raw).toBeUndefined();
      const created = gql.body.data.userCreate.user;
      const read = await mgmt(t, 'GET', `/users/${created.id}`);
      expect(read.body.data).toMatchObject({ id: Number(created.id), customerId: created.bcId, email: 'graph.ql@greatbuys.com', role: 2, companyRoleId: 5, companyRoleName: 'User Manager' });
    });
  });

  describe('POST /users/bulk', () => {
    const item = (i: number, overrides: Record<string, unknown> = {}) => ({
      firstName: `Bulk${i}`,
      lastName: 'User',
      email: `bulk.${i}@example.org`,
      companyId: RIVAL,
      role: i % 3,
      channelIds: [1],
      ...overrides,
    });

    it('10 items: 200 with {userId, bcId} in input order, one company.user.created each, in order', async () => {
      await clearWorldEvents(t);
      const items = Array.from({ length: 10 }, (_, i) => item(i));
      const res = await mgmt(t, 'POST', '/users/bulk', { body: items });
      expect(res.status, res.raw).toBe(200);
      const data = res.body.data as { userId: number; bcId: number }[];
      expect(res.raw).toBe(JSON.stringify({ code: 200, meta: { message: 'Success' }, data: data.map((d) => ({ userId: d.userId, bcId: d.bcId })) }));
      expect(data).toHaveLength(10);
      for (const [i, created] of data.entries()) {
        const read = await mgmt(t, 'GET', `/users/${created.userId}`);
        expect(read.body.data, `item ${i}`).toMatchObject({ email: `bulk.${i}@example.org`, customerId: created.bcId, role: i % 3, companyId: RIVAL });
      }
      expect(new Set(data.map((d) => d.userId)).size).toBe(10);
      const events = await worldEvents(t, 'company.user.created');
      expect(events.map((e) => e.subject.userId)).toEqual(data.map((d) => d.userId));
      expect(ids(await mgmt(t, 'GET', '/users', { query: { q: 'bulk.', limit: 250 } })).sort()).toEqual(data.map((d) => d.userId).sort());
    });

    it('11 items → 413 and nothing created, even when items are also invalid', async () => {
      const before = await stateDigest(t);
      const eleven = Array.from({ length: 11 }, (_, i) => item(100 + i));
      expectBody(await mgmt(t, 'POST', '/users/bulk', { body: eleven }), 413, BULK_TOO_LARGE);
      expectBody(await mgmt(t, 'POST', '/users/bulk', { body: [...eleven.slice(0, 10), { email: 'bad' }] }), 413, BULK_TOO_LARGE);
      expect(await stateDigest(t)).toBe(before);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { q: 'bulk.100' } }))).toEqual([]);
    });

    it('not a list, an empty list', async () => {
      const before = await stateDigest(t);
      expectBody(await mgmt(t, 'POST', '/users/bulk', { body: item(200) }), 422, parameterError({ non_field_errors: ['Expected a list of items but got type "dict".'] }));
      expectBody(await mgmt(t, 'POST', '/users/bulk', { body: [] }), 422, parameterError({ non_field_errors: ['This list may not be empty.'] }));
      expect(await stateDigest(t)).toBe(before);
    });

    it('invalid items → 422 keyed by index (failing items only), nothing created', async () => {
      const before = await stateDigest(t);
      const items = [item(300), item(301, { email: 'bad' }), item(302), item(303, { lastName: undefined, role: 7 }), item(304)];
      expectBody(
        await mgmt(t, 'POST', '/users/bulk', { body: items }),
        422,
        parameterError({ 1: { email: ['Email is not correct.'] }, 3: { lastName: NOT_NULL, role: ['"7" is not a valid choice.'] } }),
      );
      expect(await stateDigest(t)).toBe(before);
    });

    it('logical errors: the first by index; duplicate e-mails within the batch; nothing created', async () => {
      const before = await stateDigest(t);
      expectBody(
        await mgmt(t, 'POST', '/users/bulk', { body: [item(400), item(401, { email: 'dup.bulk@example.org' }), item(402), item(403, { email: 'dup.bulk@example.org' })] }),
        422,
        logicalError("Email already exists. ['dup.bulk@example.org']"),
      );
      expectBody(
        await mgmt(t, 'POST', '/users/bulk', { body: [item(410), item(411, { email: USERS.junior.email }), item(412, { channelIds: [] })] }),
        422,
        logicalError(`Email already exists. ['${USERS.junior.email}']`),
      );
      expectBody(await mgmt(t, 'POST', '/users/bulk', { body: [item(420), item(421, { channelIds: [] })] }), 422, logicalError(AT_LEAST_ONE_CHANNEL));
      expect(await stateDigest(t)).toBe(before);
      for (const q of ['bulk.40', 'bulk.41', 'bulk.42']) expect(ids(await mgmt(t, 'GET', '/users', { query: { q } })), q).toEqual([]);
    });
  });
});

// ====================================================================== update and delete

describe.each(dialects)('Management users: update and delete on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW });
  });
  afterAll(async () => t?.close());

  const nowS = () => Math.floor(t.clock.now() / 1000);
  const read = async (id: number) => {
    const res = await mgmt(t, 'GET', `/users/${id}`);
    expect(res.status, res.raw).toBe(200);
    return res.body.data;
  };

  describe('PUT /users/{userId}', () => {
    it('partial update: only present keys change; 200 with the full user incl. extraFields; updatedAt moves', async () => {
      t.clock.advance(60_000);
      const res = await mgmt(t, 'PUT', `/users/${USERS.senior.id}`, { body: { phoneNumber: '999' } });
      const expected = { ...expectedUser(USERS.senior, { extraFields: true }), phoneNumber: '999', updatedAt: nowS() };
      expectBody(res, 200, usersOk(expected));
      expect(nowS()).toBe(NOW_S + 60);
      expectBody(await mgmt(t, 'GET', `/users/${USERS.senior.id}`), 200, usersOk(expected));
    });

    it('read-only keys (companyId, originChannelId, customerId, id) are ignored', async () => {
      const res = await mgmt(t, 'PUT', `/users/${USERS.senior.id}`, {
        body: { companyId: RIVAL, originChannelId: WHOLESALE_CHANNEL, customerId: 1, id: 5, firstName: 'Pete' },
      });
      expect(res.status, res.raw).toBe(200);
      expect(res.body.data).toMatchObject({ id: USERS.senior.id, companyId: GREAT_BUYS, customerId: USERS.senior.bcId, firstName: 'Pete', channelList: [CHANNELS.default] });
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: RIVAL } }))).toEqual([200]);
    });

    it('§4.10 PUT column: exact texts, 404 before 422, nothing written', async () => {
      const cases: [string, unknown, Record<string, unknown>][] = [
        ['bad e-mail', { email: 'bad' }, { email: ['Enter a valid email address.'] }],
        // the local part is a dot-atom (Django's validator, whose texts B2B Edition answers with)
        ...['.a@b.org', 'a.@b.org', 'a..b@b.org'].map((email): [string, unknown, Record<string, unknown>] => [email, { email }, { email: ['Enter a valid email address.'] }]),
        ['role 5', { role: 5 }, { role: ['The value "5" is not a valid role.'] }],
        ['role text', { role: 'x' }, { role: ['The value "x" is not a valid role.'] }],
        ['role 3', { role: 3 }, { role: ['The value "3" is not a valid role.'] }],
        ['firstName null', { firstName: null }, { firstName: NOT_NULL }],
        ['email null', { email: null }, { email: NOT_NULL }],
        ['phoneNumber null', { phoneNumber: null }, { phoneNumber: NOT_NULL }],
        ['lastName blank', { lastName: '  ' }, { lastName: NOT_BLANK }],
        ['firstName 151', { firstName: 'f'.repeat(151) }, { firstName: TOO_LONG }],
        ['uuid 256', { uuid: 'u'.repeat(256) }, { uuid: ['Ensure this field has no more than 255 characters.'] }],
        ['companyRoleId unknown', { companyRoleId: 99 }, { companyRoleId: invalidPk(99) }],
        ['companyRoleId text', { companyRoleId: 'x' }, { companyRoleId: NOT_INTEGER }],
        ['channelIds not a list', { channelIds: 7 }, { channelIds: ['Expected a list of items but got type "int".'] }],
        ['channel unknown', { channelIds: [99] }, { channelIds: { 0: invalidPk(99) } }],
        ['several, in the fixed order', { role: 5, email: 'bad', firstName: '' }, { firstName: NOT_BLANK, email: ['Enter a valid email address.'], role: ['The value "5" is not a valid role.'] }],
        ['a list', [{ firstName: 'x' }], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
      ];
      const before = await stateDigest(t);
      for (const [label, body, errMsg] of cases) {
        expectBody(await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body }), 422, parameterError(errMsg), label);
      }
      expectBody(await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body: { channelIds: [] } }), 422, logicalError(AT_LEAST_ONE_CHANNEL));
      for (const email of [USERS.rivalAdmin.email, 'M.Curie@greatbuys.com']) {
        expectBody(await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body: { email } }), 422, logicalError(`Email already exists. ['${email}']`), email);
      }
      // the e-mail of a customer not linked to this user
      expectBody(await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body: { email: WALK_IN.email } }), 422, logicalError(`Email already exists. ['${WALK_IN.email}']`));
      for (const id of ['99999999', '720', '4201abc', '-1', '1e3', '9007199254740992', `${USERS.junior.bcId}`, `${OTHER_USERS.admin.id}`]) {
        expectBody(await mgmt(t, 'PUT', `/users/${id}`, { body: { email: 'bad' } }), 404, USER_NOT_FOUND, id);
      }
      expect(await stateDigest(t)).toBe(before);
    });

    it('role and companyRoleId: companyRoleId wins; role alone sets the predefined role; null companyRoleId is absent', async () => {
      const id = USERS.junior.id;
      expect((await mgmt(t, 'PUT', `/users/${id}`, { body: { role: 0, companyRoleId: 5 } })).body.data).toMatchObject({ role: 2, companyRoleId: 5, companyRoleName: 'User Manager' });
      expect(ids(await mgmt(t, 'GET', '/users', { query: { roles: '2', companyId: GREAT_BUYS } }))).toContain(id);
      expect((await mgmt(t, 'PUT', `/users/${id}`, { body: { role: 1 } })).body.data).toMatchObject({ role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer' });
      expect((await mgmt(t, 'PUT', `/users/${id}`, { body: { role: 0, companyRoleId: null } })).body.data).toMatchObject({ role: 0, companyRoleId: 0, companyRoleName: 'Admin' });
      expect((await mgmt(t, 'PUT', `/users/${id}`, { body: { companyRoleId: 2 } })).body.data).toMatchObject({ role: 2, companyRoleId: 2, companyRoleName: 'Junior Buyer' });
      // the storefront sees the role change at once
      const admin = storefrontToken(t, USERS.admin);
      await mgmt(t, 'PUT', `/users/${id}`, { body: { role: '1' } });
      const storefrontView = await storefront(t, admin, 'GET', `/api/v2/users/${id}`);
      expect(storefrontView.body.data).toMatchObject({ userId: String(id), roleId: '1' });
      await mgmt(t, 'PUT', `/users/${id}`, { body: { role: 2 } });
    });

    it('channelIds replace the set', async () => {
      const id = USERS.rejectedSenior.id;
      expect((await mgmt(t, 'PUT', `/users/${id}`, { body: { channelIds: [1] } })).body.data.channelList).toEqual([CHANNELS.default]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: WHOLESALE_CHANNEL } }))).toEqual([710]);
      expect((await mgmt(t, 'PUT', `/users/${id}`, { body: { channelIds: [WHOLESALE_CHANNEL, 1] } })).body.data.channelList).toEqual([CHANNELS.default, CHANNELS.wholesale]);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { channelId: WHOLESALE_CHANNEL } }))).toEqual([710, 700]);
    });

    it('extraFields merge by fieldName; numbers are stored as strings', async () => {
      const res = await mgmt(t, 'PUT', `/users/${USERS.inactiveAdmin.id}`, { body: { extraFields: [{ fieldName: 'Desk', fieldValue: '9C' }] } });
      expect(res.status, res.raw).toBe(200);
      expect(res.body.data.extraFields).toEqual([
        { fieldName: 'Cost Center', fieldValue: 'CC-42' },
        { fieldName: 'Desk', fieldValue: '9C' },
      ]);
      const numeric = await mgmt(t, 'PUT', `/users/${USERS.admin.id}`, { body: { extraFields: [{ fieldName: 'Badge', fieldValue: 10342340323 }] } });
      expect(numeric.status, numeric.raw).toBe(200);
      const sorted = [...numeric.body.data.extraFields].sort((a, b) => a.fieldName.localeCompare(b.fieldName));
      expect(sorted).toEqual([
        { fieldName: 'Badge', fieldValue: '10342340323' },
        { fieldName: 'Cost Center', fieldValue: 'CC-1' },
      ]);
    });

    it('a PUT that changes nothing keeps updatedAt and emits no event; a change emits company.user.updated', async () => {
      const id = USERS.userManager.id;
      const before = await read(id);
      await clearWorldEvents(t);
      t.clock.advance(120_000);
      const same = await mgmt(t, 'PUT', `/users/${id}`, {
        body: {
          firstName: before.firstName,
          lastName: before.lastName,
          email: before.email,
          phoneNumber: before.phoneNumber,
          companyRoleId: before.companyRoleId,
          uuid: before.uuid,
          channelIds: [1],
          extraFields: [],
        },
      });
      expectBody(same, 200, usersOk(before));
      expect(same.body.data.updatedAt).toBe(unix(USERS.userManager.updatedAt));
      expect(await worldEvents(t, 'company.user.updated')).toEqual([]);
      expectBody(await mgmt(t, 'PUT', `/users/${id}`, { body: {} }), 200, usersOk(before));
      const changed = await mgmt(t, 'PUT', `/users/${id}`, { body: { lastName: 'Curie-Labouisse' } });
      expect(changed.body.data).toMatchObject({ lastName: 'Curie-Labouisse', updatedAt: nowS(), createdAt: unix(USERS.userManager.createdAt) });
      const events = await worldEvents(t, 'company.user.updated');
      expect(events.map((e) => e.subject)).toEqual([expect.objectContaining({ storeHash: STORE, companyId: GREAT_BUYS, userId: id })]);
    });

    it('name, e-mail and phone are copied to the linked customer (sign-in with the new e-mail, same password)', async () => {
      const id = USERS.junior.id;
      const res = await mgmt(t, 'PUT', `/users/${id}`, { body: { email: 'irene.new@greatbuys.com', firstName: 'Irène', lastName: 'Joliot-Curie', phoneNumber: '111' } });
      expect(res.status, res.raw).toBe(200);
      expect(res.body.data).toMatchObject({ email: 'irene.new@greatbuys.com', firstName: 'Irène', lastName: 'Joliot-Curie', phoneNumber: '111', customerId: USERS.junior.bcId });
      const customer = await t.database.kysely.selectFrom('customers').select(['email', 'first_name', 'last_name', 'phone']).where('id', '=', USERS.junior.bcId).executeTakeFirstOrThrow();
      expect(customer).toEqual({ email: 'irene.new@greatbuys.com', first_name: 'Irène', last_name: 'Joliot-Curie', phone: '111' });
      expect((await signInStorefront(t, 'irene.new@greatbuys.com')).status).toBe(200);
      expect((await signInStorefront(t, USERS.junior.email)).status).toBe(400);
      // the storefront and GraphQL read the same row
      const admin = storefrontToken(t, USERS.admin);
      const viaRest = await storefront(t, admin, 'GET', `/api/v2/users/${id}`);
      expect(viaRest.body.data).toMatchObject({ firstName: 'Irène', lastName: 'Joliot-Curie', email: 'irene.new@greatbuys.com', phoneNumber: '111' });
      const viaGql = await b2bGraphql(t, admin, USERS_GQL, { companyId: GREAT_BUYS });
      expect(viaGql.body.data.users.edges.map((e: { node: unknown }) => e.node)).toContainEqual(expect.objectContaining({ id: String(id), email: 'irene.new@greatbuys.com', firstName: 'Irène' }));
      // the old e-mail is free again
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: USERS.junior.email } }))).toEqual([]);
    });

    it('a user updated on the storefront is read back here', async () => {
      const admin = storefrontToken(t, USERS.admin);
      const res = await storefront(t, admin, 'PUT', `/api/v2/users/${USERS.userManager.id}`, {
        firstName: 'Eva',
        lastName: 'Curie',
        email: USERS.userManager.email,
        phoneNumber: '222',
        role: '1',
      });
      expect(res.status, res.raw).toBe(200);
      expect(await read(USERS.userManager.id)).toMatchObject({ firstName: 'Eva', lastName: 'Curie', phoneNumber: '222' });
    });
  });

  describe('DELETE /users/{userId}', () => {
    it('200 {userId}; gone from every API; the customer stays (B2C sign-in works); the user\'s storefront token stops', async () => {
      const user = USERS.senior;
      const token = storefrontToken(t, user);
      expect((await storefront(t, token, 'GET', `/api/v2/customers/${user.id}/companies`)).status).toBe(200);
      await clearWorldEvents(t);
      expectBody(await mgmt(t, 'DELETE', `/users/${user.id}`), 200, usersOk({ userId: user.id }));
      expectBody(await mgmt(t, 'GET', `/users/${user.id}`), 404, USER_NOT_FOUND);
      expectBody(await mgmt(t, 'GET', `/users/customer/${user.bcId}`), 404, USER_NOT_FOUND);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: GREAT_BUYS } }))).not.toContain(user.id);
      expectBody(await mgmt(t, 'DELETE', `/users/${user.id}`), 404, USER_NOT_FOUND);
      // storefront §13 #2: the token stops working at once
      const after = await storefront(t, token, 'GET', `/api/v2/customers/${user.id}/companies`);
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ code: 401, message: 'Invalid token.', data: { errMsg: 'Invalid token.' } });
      // the customer is kept, with its password
      const customer = await t.database.kysely.selectFrom('customers').select(['id', 'email']).where('id', '=', user.bcId).executeTakeFirst();
      expect(customer?.email).toBe(user.email);
      expect((await signInStorefront(t, user.email)).status).toBe(200);
      const events = await worldEvents(t, 'company.user.deleted');
      expect(events.map((e) => e.subject)).toEqual([expect.objectContaining({ storeHash: STORE, companyId: GREAT_BUYS, userId: user.id })]);
      // the freed e-mail links that customer again
      const again = await mgmt(t, 'POST', '/users', { body: { firstName: 'Pierre', lastName: 'Curie', email: user.email, companyId: RIVAL, role: 1, channelIds: [1] } });
      expect(again.status, again.raw).toBe(200);
      expect(again.body.data.bcId).toBe(user.bcId);
    });

    it('the last user of a Company cannot be deleted; the last Admin can', async () => {
      const last = logicalError('The last user in company can not be deleted.');
      const before = await stateDigest(t);
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.westAdmin.id}`), 422, last);
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.inactiveAdmin.id}`), 422, last);
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.pendingAdmin.id}`), 422, last);
      expect(await stateDigest(t)).toBe(before);
      expect((await read(USERS.westAdmin.id)).id).toBe(USERS.westAdmin.id);
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.rejectedSenior.id}`), 200, usersOk({ userId: USERS.rejectedSenior.id }));
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.rejectedViewer.id}`), 422, last);
      // Great Buys' only Admin goes; its other users stay
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.admin.id}`), 200, usersOk({ userId: USERS.admin.id }));
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: GREAT_BUYS, roles: '0' } }))).toEqual([]);
      expect(await consistencyViolations(t.database.kysely)).toEqual([]);
    });

    it('not found: unknown, malformed, Super Admin, a customer id, another store\'s user', async () => {
      const before = await stateDigest(t);
      for (const id of ['99999999', '4201abc', '-1', '1e3', '9007199254740992', '720', `${USERS.userManager.bcId}`, `${OTHER_USERS.admin.id}`, '%20']) {
        expectBody(await mgmt(t, 'DELETE', `/users/${id}`), 404, USER_NOT_FOUND, id);
      }
      expect(await stateDigest(t)).toBe(before);
    });
  });
});

// ====================================================================== concurrency

describe.each(dialects)('Management users: concurrent creates on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  const PARALLEL = 50;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW });
    admin = storefrontToken(t, USERS.admin);
  });
  afterAll(async () => t?.close());

  const countUsers = async (emailKey: string) =>
    Number(
      (
        await t.database.kysely
          .selectFrom('company_users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('email_key', '=', emailKey)
          .where('store_hash', '=', STORE)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const countCustomers = async (emailKey: string) =>
    Number(
      (
        await t.database.kysely
          .selectFrom('customers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('email_key', '=', emailKey)
          .where('store_hash', '=', STORE)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('50 creates of one e-mail through Management POST /users, storefront POST /api/v2/users and GraphQL userCreate: exactly one succeeds', async () => {
    const email = 'race.mgmt@example.org';
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        if (i % 3 === 0) {
          const res = await mgmt(t, 'POST', '/users', { body: { firstName: 'Race', lastName: `M${i}`, email, companyId: GREAT_BUYS, role: 2, channelIds: [1] } });
          return { api: 'management', res, ok: res.status === 200 };
        }
        if (i % 3 === 1) {
          const res = await storefront(t, admin, 'POST', '/api/v2/users', { companyId: String(GREAT_BUYS), firstName: 'Race', lastName: `S${i}`, email, phoneNumber: '', role: '2' });
          return { api: 'storefront', res, ok: res.status === 200 && res.body?.code === 200 };
        }
        const res = await b2bGraphql(
          t,
          admin,
          `mutation { userCreate(userData: { companyId: ${GREAT_BUYS}, email: "${email}", firstName: "Race", lastName: "G${i}", companyRoleId: 2 }) { user { id } } }`,
        );
        return { api: 'graphql', res, ok: res.status === 200 && res.body?.errors === undefined };
      }),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    for (const a of answers.filter((x) => !x.ok)) {
      if (a.api === 'management') expectBody(a.res, 422, logicalError(`Email already exists. ['${email}']`));
      else if (a.api === 'storefront') expect(a.res.body, a.res.raw).toMatchObject({ code: 422, message: 'Processing data contains logical errors' });
      else expect(a.res.body.errors[0].extensions.code, a.res.raw).toBe(422);
    }
    expect(await countUsers(email)).toBe(1);
    expect(await countCustomers(email)).toBe(1);
    const listed = await mgmt(t, 'GET', '/users', { query: { email } });
    expect(listed.body.meta.pagination.totalCount).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('50 Management creates of one e-mail in varying case and spacing, single and bulk: one user', async () => {
    const variants = ['race.case@example.org', 'RACE.CASE@example.org', ' race.case@example.org ', 'Race.Case@Example.Org'];
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => {
        const email = variants[i % variants.length] as string;
        const body = { firstName: 'Race', lastName: `C${i}`, email, companyId: RIVAL, role: 1, channelIds: [1] };
        return i % 5 === 0 ? mgmt(t, 'POST', '/users/bulk', { body: [body] }) : mgmt(t, 'POST', '/users', { body });
      }),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status, a.raw).toBe(422);
      expect(a.body.meta.message).toBe('Processing data contains logical errors');
      expect(a.body.data.errMsg).toMatch(/^Email already exists\. \['\s*race\.case@example\.org\s*'\]$/i);
    }
    expect(await countUsers('race.case@example.org')).toBe(1);
    expect(await consistencyViolations(t.database.kysely)).toEqual([]);
  });

  it('the fixture helper returns a fresh object each call', () => {
    const a = managementFixture() as { b2b: { stores: unknown[] } };
    a.b2b.stores.pop();
    expect((managementFixture() as { b2b: { stores: unknown[] } }).b2b.stores).toHaveLength(2);
  });
});
