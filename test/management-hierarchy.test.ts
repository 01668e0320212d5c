import { describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import {
  clearWorldEvents,
  managementFixture,
  mgmt,
  type MgmtResponse,
  NOW,
  PASSWORD,
  STORE,
  storefront,
  storefrontToken,
  TOKENS,
  USERS,
  worldEvents,
} from './helpers/management-support.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';

/**
 * Acceptance tests of the Company account hierarchy of the Management API v3 (b2b-management-rest.md
 * §6, §3.1, §9, §14 #18, #35, #37, #38): subsidiaries and hierarchy reads against a model of the tree,
 * detaching and attaching with every 400 rule (cycles, 5 layers, 500 Companies), the hierarchy's own
 * 15-per-minute bucket, and storefront level-3 permissions following re-parenting at once.
 */

type Json = Record<string, any>;

interface CompanyNode {
  id: number;
  name: string;
  status: number;
}

/** Every Company of STORE in the hierarchy fixture, with its parent. */
const COMPANIES: Record<number, CompanyNode & { parentId: number | null }> = {};
const add = (id: number, name: string, status: number, parentId: number | null) => (COMPANIES[id] = { id, name, status, parentId });
add(123456, 'Great Buys', 1, null);
add(123457, 'Great Buys West', 1, 123456);
add(223344, 'Rival Supplies', 1, null);
add(334455, 'Pending Traders', 0, null);
add(445566, 'Rejected Goods', 2, null);
add(556677, 'Inactive Imports', 3, null);
add(610001, 'Great Buys North', 1, 123456);
add(610002, 'Great Buys South', 0, 123456);
add(620001, 'West Coast', 1, 123457);
add(630001, 'Coast Retail', 3, 620001);
add(640001, 'Chain Top', 1, null);
add(640002, 'Chain Link', 2, 640001);
add(700001, 'Solo Traders', 1, null);

const OTHER_COMPANY = 778899;

/** A custom role holding get_users at level 3 (Company and subsidiaries), and a user of Great Buys with it. */
const GROUP_VIEWER_ROLE = { id: 7, name: 'Group Viewer', permissions: [{ code: 'get_users', permissionLevel: 3 }] };
const GROUP_VIEWER = { id: 140, bcId: 141, email: 'group.viewer@greatbuys.com', companyId: 123456 };
const COAST_ADMIN = { id: 6210, bcId: 6211, email: 'coast.admin@westcoast.example', companyId: 620001 };
const SOLO_ADMIN = { id: 7010, bcId: 7011, email: 'solo.admin@solo.example', companyId: 700001 };

const BIG_ROOT = 800000;

/** managementFixture() plus the Companies above (added in an order that is not the id order), the level-3 role and users. */
function hierarchyFixture(options: { bigTree?: boolean } = {}): Json {
  const world = managementFixture() as { b2b: { stores: Json[] } };
  const main = world.b2b.stores.find((s) => s.storeHash === STORE);
  if (!main) throw new Error('managementFixture lacks STORE');
  (main.roles as Json[]).push(GROUP_VIEWER_ROLE);
  const companies = main.companies as Json[];
  const user = (u: { id: number; bcId: number; email: string }, first: string, last: string, extra: Json = { role: 0 }) => ({
    id: u.id, bcId: u.bcId, email: u.email, firstName: first, lastName: last, phoneNumber: '', password: PASSWORD, ...extra,
  });
  companies.find((c) => c.id === 123456)?.users.push(user(GROUP_VIEWER, 'Gail', 'Viewer', { role: 2, companyRoleId: GROUP_VIEWER_ROLE.id }));
  const company = (id: number, users: Json[] = []) => {
    const c = COMPANIES[id];
    if (!c) throw new Error(`no Company ${id}`);
    return { id, name: c.name, status: c.status, parentId: c.parentId, users };
  };
  companies.push(
    company(630001),
    company(610002),
    company(620001, [user(COAST_ADMIN, 'Cory', 'Coast')]),
    company(610001),
    company(700001, [user(SOLO_ADMIN, 'Sol', 'Admin')]),
    company(640002),
    company(640001),
  );
  if (options.bigTree) {
    // 500 Companies in one hierarchy: a root and 499 direct subsidiaries
    companies.push({ id: BIG_ROOT, name: 'Big Root', status: 1, parentId: null, users: [] });
    for (let i = 1; i <= 499; i += 1) companies.push({ id: BIG_ROOT + i, name: `Big ${String(i).padStart(3, '0')}`, status: 1, parentId: BIG_ROOT, users: [] });
  }
  return world as Json;
}

// ------------------------------------------------------------------ the tree model

/** parent of each Company as the test expects it now (null: top-level) */
type Parents = Map<number, number | null>;

function initialParents(options: { bigTree?: boolean } = {}): Parents {
  const parents: Parents = new Map(Object.values(COMPANIES).map((c) => [c.id, c.parentId]));
  if (options.bigTree) {
    parents.set(BIG_ROOT, null);
    for (let i = 1; i <= 499; i += 1) parents.set(BIG_ROOT + i, BIG_ROOT);
  }
  return parents;
}

function nodeInfo(id: number): CompanyNode {
  const c = COMPANIES[id];
  if (c) return c;
  if (id === BIG_ROOT) return { id, name: 'Big Root', status: 1 };
  if (id > BIG_ROOT && id <= BIG_ROOT + 499) return { id, name: `Big ${String(id - BIG_ROOT).padStart(3, '0')}`, status: 1 };
  throw new Error(`unknown Company ${id}`);
}

function childrenOf(parents: Parents, id: number): number[] {
  return [...parents.entries()].filter(([, p]) => p === id).map(([c]) => c).sort((a, b) => a - b);
}

/** A §6 node: companyId, companyName, companyStatus, and `subsidiaries` only when it has children (nested, never cut). */
function node(parents: Parents, id: number, page?: { limit: number; offset: number }): Json {
  const info = nodeInfo(id);
  let children = childrenOf(parents, id);
  if (page) children = children.slice(page.offset, page.offset + page.limit);
  return {
    companyId: info.id,
    companyName: info.name,
    companyStatus: info.status,
    ...(children.length > 0 ? { subsidiaries: children.map((c) => node(parents, c)) } : {}),
  };
}

function rootOf(parents: Parents, id: number): number {
  let current = id;
  for (let guard = 0; guard < 1000; guard += 1) {
    const parent = parents.get(current);
    if (parent === null || parent === undefined) return current;
    current = parent;
  }
  throw new Error('cycle in the model');
}

function expectedSubsidiaries(parents: Parents, id: number, limit = 10, offset = 0): Json {
  const direct = childrenOf(parents, id);
  return {
    data: direct.slice(offset, offset + limit).map((c) => node(parents, c)),
    meta: { message: 'SUCCESS', pagination: { totalCount: direct.length, limit, offset } },
  };
}

function expectedHierarchy(parents: Parents, id: number, limit = 10, offset = 0): Json {
  const root = rootOf(parents, id);
  return {
    data: [node(parents, root, { limit, offset })],
    meta: { message: 'SUCCESS', pagination: { totalCount: childrenOf(parents, root).length, limit, offset } },
  };
}

const HIERARCHY_NOT_FOUND = '{"status":404,"title":"Parameter Error.","errors":{"1":"Company does not exist."}}';
const INVALID_CHILD = '{"status":400,"title":"Parameter error.","errors":{"1":"Invalid child company ID."}}';
const parentError = (text: string) => JSON.stringify({ status: 400, title: 'Parameter Error.', errors: { '1': text } });
const INVALID_PARENT = parentError('Invalid parent company ID.');
const CYCLE = parentError('The parent company cannot be a subsidiary of the current company.');
const MAX_LAYER = parentError('The parent company has reached the maximum layer.');
const MAX_COMPANIES = parentError('The hierarchy has reached the maximum number of companies.');
const ATTACHED = { data: [], meta: { message: 'SUCCESS' } };
const COMPANY_NOT_FOUND_V2 = { code: 404, message: 'Company matching query does not exist.', data: { errMsg: 'Company matching query does not exist.' } };
const throttled = (seconds: number) => {
  const text = `Request was throttled. Expected available in ${seconds} seconds.`;
  return JSON.stringify({ code: 429, meta: { message: text }, data: { errMsg: text } });
};

const MALFORMED_IDS = ['4201abc', '-1', '1e3', '%20', '9007199254740992'];

/** A hierarchy read: 200, no `code` key, the expected body, nodes and pagination in their key order. */
function expectTree(res: MgmtResponse, expected: Json): void {
  expect(res.status, res.raw).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(res.body).not.toHaveProperty('code');
  expect(Object.keys(res.body).sort()).toEqual(['data', 'meta']);
  expect(res.body).toEqual(expected);
  expect(JSON.stringify(res.body.data)).toBe(JSON.stringify(expected.data));
  expect(JSON.stringify(res.body.meta)).toBe(JSON.stringify(expected.meta));
}

function expectRaw(res: MgmtResponse, status: number, raw: string): void {
  expect(res.status, res.raw).toBe(status);
  expect(res.raw).toBe(raw);
}

describe.each(dialects)('Management API Company hierarchy on %s', (dialect) => {
  async function withApp<T>(fn: (t: TestApp) => Promise<T>, options: Partial<TestAppOptions> & { bigTree?: boolean } = {}): Promise<T> {
    const { bigTree, ...rest } = options;
    const t = await createTestApp({ dialect, now: NOW, fixture: hierarchyFixture({ bigTree: bigTree ?? false }), ...rest });
    try {
      return await fn(t);
    } finally {
      await t.close();
    }
  }

  const attach = (t: TestApp, id: number | string, parentCompanyId: unknown) => mgmt(t, 'POST', `/companies/${id}/parent`, { body: { parentCompanyId } });
  const detach = (t: TestApp, id: number | string, child: number | string) => mgmt(t, 'DELETE', `/companies/${id}/subsidiaries/${child}`);

  /** Every Company of the model reads the same tree through both routes. */
  async function expectModel(t: TestApp, parents: Parents, ids: number[] = Object.values(COMPANIES).map((c) => c.id)): Promise<void> {
    for (const id of ids) {
      expectTree(await mgmt(t, 'GET', `/companies/${id}/subsidiaries`), expectedSubsidiaries(parents, id));
      expectTree(await mgmt(t, 'GET', `/companies/${id}/hierarchy`), expectedHierarchy(parents, id));
      const parent = parents.get(id) ?? null;
      const detail = await mgmt(t, 'GET', `/companies/${id}`);
      expect(detail.body?.data?.parentCompany, `parentCompany of ${id}`).toEqual(parent === null ? {} : { id: parent, name: nodeInfo(parent).name });
    }
  }

  describe('reads', () => {
    it('subsidiaries: direct children (companyId ASC) with nested descendants; `subsidiaries` only on parents; paging cuts the direct level only', async () => {
      await withApp(async (t) => {
        const parents = initialParents();
        const res = await mgmt(t, 'GET', '/companies/123456/subsidiaries');
        expectTree(res, {
          data: [
            {
              companyId: 123457, companyName: 'Great Buys West', companyStatus: 1,
              subsidiaries: [{ companyId: 620001, companyName: 'West Coast', companyStatus: 1, subsidiaries: [{ companyId: 630001, companyName: 'Coast Retail', companyStatus: 3 }] }],
            },
            { companyId: 610001, companyName: 'Great Buys North', companyStatus: 1 },
            { companyId: 610002, companyName: 'Great Buys South', companyStatus: 0 },
          ],
          meta: { message: 'SUCCESS', pagination: { totalCount: 3, limit: 10, offset: 0 } },
        });
        expectTree(await mgmt(t, 'GET', '/companies/123457/subsidiaries'), expectedSubsidiaries(parents, 123457));
        expectTree(await mgmt(t, 'GET', '/companies/630001/subsidiaries'), { data: [], meta: { message: 'SUCCESS', pagination: { totalCount: 0, limit: 10, offset: 0 } } });
        expectTree(await mgmt(t, 'GET', '/companies/223344/subsidiaries'), expectedSubsidiaries(parents, 223344));
        const pages: [Record<string, string | number>, number, number][] = [
          [{ limit: 1 }, 1, 0],
          [{ limit: 2, offset: 1 }, 2, 1],
          [{ offset: 3 }, 10, 3],
          [{ limit: 0, offset: -1 }, 10, 0],
          [{ limit: 'x', offset: 'y' }, 10, 0],
          [{ limit: 999 }, 250, 0],
        ];
        for (const [query, limit, offset] of pages) {
          expectTree(await mgmt(t, 'GET', '/companies/123456/subsidiaries', { query }), expectedSubsidiaries(parents, 123456, limit, offset));
        }
        // the read-only token and the legacy authToken read the same
        expect((await mgmt(t, 'GET', '/companies/123456/subsidiaries', { token: TOKENS.read })).raw).toBe(res.raw);
        expect((await mgmt(t, 'GET', '/companies/0123456/subsidiaries', { token: null, legacy: TOKENS.legacy })).raw).toBe(res.raw);
      });
    });

    it('hierarchy: the root with every descendant, from any member; totalCount = the root\'s direct subsidiaries; a lone Company is its own root', async () => {
      await withApp(async (t) => {
        const parents = initialParents();
        const fromRoot = await mgmt(t, 'GET', '/companies/123456/hierarchy');
        expectTree(fromRoot, expectedHierarchy(parents, 123456));
        expect(fromRoot.body.data).toHaveLength(1);
        expect(fromRoot.body.meta.pagination).toEqual({ totalCount: 3, limit: 10, offset: 0 });
        for (const member of [123457, 620001, 630001, 610001, 610002]) {
          expect((await mgmt(t, 'GET', `/companies/${member}/hierarchy`)).raw, `from ${member}`).toBe(fromRoot.raw);
        }
        expectTree(await mgmt(t, 'GET', '/companies/223344/hierarchy'), {
          data: [{ companyId: 223344, companyName: 'Rival Supplies', companyStatus: 1 }],
          meta: { message: 'SUCCESS', pagination: { totalCount: 0, limit: 10, offset: 0 } },
        });
        expectTree(await mgmt(t, 'GET', '/companies/640002/hierarchy'), expectedHierarchy(parents, 640002));
        // paging cuts the root's direct subsidiaries, never the nested levels
        expectTree(await mgmt(t, 'GET', '/companies/630001/hierarchy', { query: { limit: 1 } }), expectedHierarchy(parents, 630001, 1, 0));
        expectTree(await mgmt(t, 'GET', '/companies/630001/hierarchy', { query: { limit: 1, offset: 1 } }), expectedHierarchy(parents, 630001, 1, 1));
        expectTree(await mgmt(t, 'GET', '/companies/630001/hierarchy', { query: { limit: 2, offset: 1 } }), expectedHierarchy(parents, 630001, 2, 1));
        await expectModel(t, parents);
      });
    });

    it('unknown, malformed and other-store Companies: 404 Company does not exist. on every hierarchy route', async () => {
      await withApp(async (t) => {
        for (const id of ['999999', ...MALFORMED_IDS, String(OTHER_COMPANY)]) {
          expectRaw(await mgmt(t, 'GET', `/companies/${id}/subsidiaries`), 404, HIERARCHY_NOT_FOUND);
          expectRaw(await mgmt(t, 'GET', `/companies/${id}/hierarchy`), 404, HIERARCHY_NOT_FOUND);
          expectRaw(await attach(t, id, 223344), 404, HIERARCHY_NOT_FOUND);
          expectRaw(await detach(t, id, 123457), 404, HIERARCHY_NOT_FOUND);
        }
        // and this store's Companies through the other store's token
        for (const path of ['/companies/123456/subsidiaries', '/companies/123456/hierarchy']) {
          expectRaw(await mgmt(t, 'GET', path, { token: TOKENS.other }), 404, HIERARCHY_NOT_FOUND);
        }
        expectRaw(await mgmt(t, 'DELETE', '/companies/123456/subsidiaries/123457', { token: TOKENS.other }), 404, HIERARCHY_NOT_FOUND);
        expectRaw(await mgmt(t, 'POST', '/companies/123457/parent', { token: TOKENS.other, body: { parentCompanyId: OTHER_COMPANY } }), 404, HIERARCHY_NOT_FOUND);
        expectRaw(await mgmt(t, 'POST', `/companies/${OTHER_COMPANY}/parent`, { token: TOKENS.other, body: { parentCompanyId: 123456 } }), 400, INVALID_PARENT);
        await expectModel(t, initialParents(), [123456, 123457]);
      });
    });
  });

  describe('DELETE /companies/{companyId}/subsidiaries/{childCompanyId}', () => {
    it('204 with an empty body; the detached child heads its own tree with its descendants; company.updated for the child', async () => {
      await withApp(async (t) => {
        const parents = initialParents();
        await clearWorldEvents(t);
        const res = await detach(t, 123456, 123457);
        expect(res.status, res.raw).toBe(204);
        expect(res.raw).toBe('');
        parents.set(123457, null);
        await expectModel(t, parents);
        expectTree(await mgmt(t, 'GET', '/companies/630001/hierarchy'), {
          data: [
            {
              companyId: 123457, companyName: 'Great Buys West', companyStatus: 1,
              subsidiaries: [{ companyId: 620001, companyName: 'West Coast', companyStatus: 1, subsidiaries: [{ companyId: 630001, companyName: 'Coast Retail', companyStatus: 3 }] }],
            },
          ],
          meta: { message: 'SUCCESS', pagination: { totalCount: 1, limit: 10, offset: 0 } },
        });
        const events = await worldEvents(t, 'company');
        expect(events.map((e) => [e.type, e.subject.companyId])).toEqual([['company.updated', 123457]]);
        // once detached it is no longer a subsidiary
        expectRaw(await detach(t, 123456, 123457), 400, INVALID_CHILD);
        // its users stay where they were
        expect((await mgmt(t, 'GET', '/users', { query: { companyId: 123457 } })).body.data.map((u: Json) => u.id)).toEqual([USERS.westAdmin.id]);
      });
    });

    it('400 Invalid child company ID. for anything but a direct subsidiary; nothing changes, nothing fires', async () => {
      await withApp(async (t) => {
        const before = await mgmt(t, 'GET', '/companies/123456/hierarchy');
        await clearWorldEvents(t);
        const cases: [number, string][] = [
          [123456, '620001'], // a grandchild
          [123456, '630001'],
          [123456, '123456'], // itself
          [123457, '123456'], // its parent
          [123456, '223344'], // an unrelated Company
          [123456, '999999'], // unknown
          [123456, String(OTHER_COMPANY)], // another store's
          [630001, '123457'], // a leaf has no subsidiaries
        ];
        for (const [id, child] of cases) expectRaw(await detach(t, id, child), 400, INVALID_CHILD);
        expect((await mgmt(t, 'GET', '/companies/123456/hierarchy')).raw).toBe(before.raw);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('deleting a Company in the middle of a tree makes its subsidiaries top-level with their own descendants', async () => {
      await withApp(async (t) => {
        const parents = initialParents();
        expect((await mgmt(t, 'DELETE', '/companies/123457')).status).toBe(200);
        parents.delete(123457);
        parents.set(620001, null);
        await expectModel(t, parents, [123456, 610001, 620001, 630001]);
        expectRaw(await mgmt(t, 'GET', '/companies/123457/hierarchy'), 404, HIERARCHY_NOT_FOUND);
      });
    });
  });

  describe('POST /companies/{companyId}/parent', () => {
    it('201 {data: [], meta}; attaches a top-level Company, moves a Company that has a parent with its subtree; company.updated for the moved one', async () => {
      await withApp(async (t) => {
        const parents = initialParents();
        await clearWorldEvents(t);
        const res = await attach(t, 700001, 610001);
        expect(res.status, res.raw).toBe(201);
        expect(res.body).toEqual(ATTACHED);
        expect(res.body).not.toHaveProperty('code');
        parents.set(700001, 610001);
        await expectModel(t, parents);
        // a numeric string is an integer (§14 #19); the subtree moves along
        const moved = await attach(t, 123457, '223344');
        expect(moved.status, moved.raw).toBe(201);
        expect(moved.body).toEqual(ATTACHED);
        parents.set(123457, 223344);
        await expectModel(t, parents);
        expect((await worldEvents(t, 'company')).map((e) => [e.type, e.subject.companyId])).toEqual([
          ['company.updated', 700001],
          ['company.updated', 123457],
        ]);
        // attaching to the parent it already has changes nothing and fires nothing
        await clearWorldEvents(t);
        const before = await mgmt(t, 'GET', '/companies/123457');
        t.clock.advance(60_000);
        const same = await attach(t, 123457, 223344);
        expect(same.status, same.raw).toBe(201);
        expect((await mgmt(t, 'GET', '/companies/123457')).raw).toBe(before.raw);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('400 Invalid parent company ID. and the cycle rule; nothing changes, nothing fires', async () => {
      await withApp(async (t) => {
        const before = await mgmt(t, 'GET', '/companies/123456/hierarchy');
        await clearWorldEvents(t);
        const invalid: [number, unknown][] = [
          [123456, undefined],
          [123456, null],
          [123456, 'abc'],
          [123456, 1.5],
          [123456, 999999],
          [123456, OTHER_COMPANY],
          [123456, 123456], // itself
          [700001, 700001],
        ];
        for (const [id, parentCompanyId] of invalid) {
          const res = await mgmt(t, 'POST', `/companies/${id}/parent`, { body: parentCompanyId === undefined ? {} : { parentCompanyId } });
          expectRaw(res, 400, INVALID_PARENT);
        }
        for (const [id, parentCompanyId] of [
          [123456, 123457], // its child
          [123456, 630001], // a deep descendant
          [123457, 630001],
          [620001, 630001],
        ] as const) {
          expectRaw(await attach(t, id, parentCompanyId), 400, CYCLE);
        }
        expect((await mgmt(t, 'GET', '/companies/123456/hierarchy')).raw).toBe(before.raw);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('5 layers at most (root = layer 1), counted on the resulting tree with the moved subtree', async () => {
      await withApp(async (t) => {
        const parents = initialParents();
        // 123456 (1) → 123457 (2) → 620001 (3) → 630001 (4)
        expectRaw(await attach(t, 640001, 630001), 400, MAX_LAYER); // 640001 at 5, its child at 6
        await expectModel(t, parents, [640001, 123456]);
        expect((await attach(t, 640002, 630001)).status).toBe(201); // moved out of 640001, at layer 5
        parents.set(640002, 630001);
        expectRaw(await attach(t, 700001, 640002), 400, MAX_LAYER); // 6
        // 123457's subtree is 4 deep now: under 610001 (layer 2) it would reach 6, under a root 5
        expectRaw(await attach(t, 123457, 610001), 400, MAX_LAYER);
        expect((await attach(t, 123457, 223344)).status).toBe(201);
        parents.set(123457, 223344);
        await expectModel(t, parents);
        expectTree(await mgmt(t, 'GET', '/companies/223344/hierarchy'), {
          data: [
            {
              companyId: 223344, companyName: 'Rival Supplies', companyStatus: 1,
              subsidiaries: [
                {
                  companyId: 123457, companyName: 'Great Buys West', companyStatus: 1,
                  subsidiaries: [
                    {
                      companyId: 620001, companyName: 'West Coast', companyStatus: 1,
                      subsidiaries: [{ companyId: 630001, companyName: 'Coast Retail', companyStatus: 3, subsidiaries: [{ companyId: 640002, companyName: 'Chain Link', companyStatus: 2 }] }],
                    },
                  ],
                },
              ],
            },
          ],
          meta: { message: 'SUCCESS', pagination: { totalCount: 1, limit: 10, offset: 0 } },
        });
      });
    });

    it('500 Companies per hierarchy at most, counted on the resulting tree; moves inside one tree keep its size', async () => {
      await withApp(
        async (t) => {
          const parents = initialParents({ bigTree: true });
          expectRaw(await attach(t, 700001, BIG_ROOT), 400, MAX_COMPANIES);
          expectRaw(await attach(t, 700001, BIG_ROOT + 123), 400, MAX_COMPANIES);
          expect((await attach(t, BIG_ROOT + 2, BIG_ROOT + 1)).status).toBe(201); // same tree: still 500
          parents.set(BIG_ROOT + 2, BIG_ROOT + 1);
          expect((await detach(t, BIG_ROOT, BIG_ROOT + 499)).status).toBe(204); // 499 left
          parents.set(BIG_ROOT + 499, null);
          expectRaw(await attach(t, 640001, BIG_ROOT), 400, MAX_COMPANIES); // 640001 brings its child: 501
          expect((await attach(t, 700001, BIG_ROOT)).status).toBe(201); // 500
          parents.set(700001, BIG_ROOT);
          expectRaw(await attach(t, BIG_ROOT + 499, BIG_ROOT + 7), 400, MAX_COMPANIES);
          const full = await mgmt(t, 'GET', `/companies/${BIG_ROOT + 42}/hierarchy`, { query: { limit: 250 } });
          expectTree(full, expectedHierarchy(parents, BIG_ROOT, 250, 0));
          expect(full.body.meta.pagination.totalCount).toBe(498);
          // children by companyId: the attached 700001 sorts before 800001
          expect(full.body.data[0].subsidiaries[0]).toEqual({ companyId: 700001, companyName: 'Solo Traders', companyStatus: 1 });
          expect(full.body.data[0].subsidiaries[1]).toEqual({
            companyId: BIG_ROOT + 1, companyName: 'Big 001', companyStatus: 1, subsidiaries: [{ companyId: BIG_ROOT + 2, companyName: 'Big 002', companyStatus: 1 }],
          });
          expectTree(await mgmt(t, 'GET', `/companies/${BIG_ROOT}/subsidiaries`, { query: { limit: 250, offset: 250 } }), expectedSubsidiaries(parents, BIG_ROOT, 250, 250));
        },
        { bigTree: true },
      );
    });
  });

  describe('rate limit', () => {
    it('hierarchy has its own 15 per 60 s bucket per store: the 16th call is 429 while other routes and stores still work', async () => {
      await withApp(
        async (t) => {
          for (let i = 1; i <= 15; i += 1) {
            const res = await mgmt(t, 'GET', `/companies/${i % 2 === 0 ? 123456 : 630001}/hierarchy`);
            expect(res.status, `call ${i}: ${res.raw}`).toBe(200);
            expect(res.headers['x-requests-allocated']).toBe('150 times/60 s');
            expect(res.headers['x-requests-remaining']).toBe(`${150 - i} times`); // it counts in the shared bucket too
          }
          const limited = await mgmt(t, 'GET', '/companies/123456/hierarchy');
          expectRaw(limited, 429, throttled(60));
          expect(limited.headers['retry-after']).toBe('60');
          expect(limited.headers['x-requests-allocated']).toBe('150 times/60 s');
          expectRaw(await mgmt(t, 'GET', '/companies/223344/hierarchy'), 429, throttled(60));
          // the rest of the API (and the storefront) is not limited by it
          expect((await mgmt(t, 'GET', '/companies/123456/subsidiaries')).status).toBe(200);
          expect((await mgmt(t, 'GET', '/companies')).status).toBe(200);
          expect((await mgmt(t, 'GET', '/companies/123456')).status).toBe(200);
          expect((await storefront(t, storefrontToken(t, USERS.admin), 'GET', '/api/v2/users')).status).toBe(200);
          // another store has its own bucket
          expect((await mgmt(t, 'GET', `/companies/${OTHER_COMPANY}/hierarchy`, { token: TOKENS.other })).status).toBe(200);
          t.clock.advance(30_000);
          const later = await mgmt(t, 'GET', '/companies/123456/hierarchy');
          expectRaw(later, 429, throttled(30));
          expect(later.headers['retry-after']).toBe('30');
          t.clock.advance(30_000);
          expectTree(await mgmt(t, 'GET', '/companies/123456/hierarchy'), expectedHierarchy(initialParents(), 123456));
        },
        { b2bRateLimit: { requests: 150, windowMs: 60_000 } },
      );
    });
  });

  describe('storefront level 3', () => {
    it('a get_users level-3 role sees exactly the Companies below its own, following attach and detach at once', async () => {
      await withApp(async (t) => {
        const viewer = storefrontToken(t, GROUP_VIEWER);
        const admin = storefrontToken(t, USERS.admin); // level 2: its own Company only
        const list = async (token: string, companyId: number) => storefront(t, token, 'GET', `/api/v2/companies/${companyId}/users`);
        const idsOf = (res: MgmtResponse) => (res.body.data.list as Json[]).map((u) => Number(u.id));
        const expectHidden = async (token: string, companyId: number) => {
          const res = await list(token, companyId);
          expect(res.status, `${companyId}: ${res.raw}`).toBe(404);
          expect(res.body).toEqual(COMPANY_NOT_FOUND_V2);
        };

        expect(idsOf(await list(viewer, 123457))).toEqual([USERS.westAdmin.id]);
        expect(idsOf(await list(viewer, 620001))).toEqual([COAST_ADMIN.id]);
        await expectHidden(viewer, 700001);
        await expectHidden(admin, 123457);

        expect((await attach(t, 700001, 610001)).status).toBe(201);
        expect(idsOf(await list(viewer, 700001))).toEqual([SOLO_ADMIN.id]);
        await expectHidden(admin, 700001);

        expect((await detach(t, 123456, 123457)).status).toBe(204);
        await expectHidden(viewer, 123457);
        await expectHidden(viewer, 620001);
        expect(idsOf(await list(viewer, 700001))).toEqual([SOLO_ADMIN.id]);

        expect((await detach(t, 610001, 700001)).status).toBe(204);
        await expectHidden(viewer, 700001);

        // and back: re-attaching West brings its whole subtree into scope again
        expect((await attach(t, 123457, 610002)).status).toBe(201);
        expect(idsOf(await list(viewer, 620001))).toEqual([COAST_ADMIN.id]);
      });
    });
  });
});
