import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postman, signIn } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Search answers of a Company's users (REST `q`, GraphQL `search`) kept per item (issue #16,
 * domain/company-users/company-user-views.ts): a write to a user the search matched neither
 * before nor as the write left it keeps the answer (SQLite: served without a read); every write
 * that changes who matches, or what a matched user shows, is seen by the next request, through
 * REST, GraphQL and another connection, on both engines.
 */
const COMPANY = 123456;
const NEEDLE = 'joliot';

describe.each(dialects)('search answers on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, sqliteFile: true });
    admin = await signIn(t.app, 'm.curie@greatbuys.com');
  });
  afterAll(async () => t.close());

  /** what storage holds: the Company's users the needle matches (names, "first last", e-mail), newest first */
  const truth = async () => {
    const rows = (
      await sql<{ id: number; first_name: string; last_name: string; email: string; phone: string }>`SELECT id, first_name, last_name, email, phone FROM company_users WHERE company_id = ${COMPANY} ORDER BY id DESC`.execute(t.database.kysely)
    ).rows;
    return rows
      .filter((r) => [r.first_name, r.last_name, `${r.first_name} ${r.last_name}`, r.email].some((text) => text.toLowerCase().includes(NEEDLE)))
      .map((r) => ({ id: Number(r.id), lastName: r.last_name, phone: r.phone }));
  };
  const restSearch = async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v2/users?q=${NEEDLE}&limit=10&offset=0`, headers: { authorization: `Bearer ${admin}` } });
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data as { list: { id: string; lastName: string; phoneNumber: string }[]; pagination: { totalCount: number } };
    expect(data.pagination.totalCount).toBe(data.list.length);
    return data.list.map((u) => ({ id: Number(u.id), lastName: u.lastName, phone: u.phoneNumber }));
  };
  const gqlSearch = async () => {
    const res = await postman(t.app, admin, `query { users(companyId: ${COMPANY}, first: 10, offset: 0, search: "${NEEDLE}") { totalCount edges { node { id lastName phone } } } }`);
    expect(res.status, res.raw).toBe(200);
    const users = (res.body as { data: { users: { totalCount: number; edges: { node: { id: string; lastName: string; phone: string } }[] } } }).data.users;
    expect(users.totalCount).toBe(users.edges.length);
    return users.edges.map((e) => ({ id: Number(e.node.id), lastName: e.node.lastName, phone: e.node.phone }));
  };
  /** a REST PUT of user `id` with its stored fields and `changes` */
  const put = async (id: number, changes: { lastName?: string; phoneNumber?: string; email?: string }) => {
    const row = await t.database.kysely.selectFrom('company_users').select(['email', 'first_name', 'last_name', 'phone', 'role']).where('id', '=', id).executeTakeFirstOrThrow();
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v2/users/${id}`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: row.email, firstName: row.first_name, lastName: row.last_name, phoneNumber: row.phone, role: Number(row.role), ...changes }),
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('keep their answer through writes that leave the matches as they were, and follow every write that changes them', async () => {
    const services = t.app.services.companyUsers;
    const original = services.list;
    let reads = 0;
    services.list = (...args: Parameters<typeof services.list>) => {
      reads += 1;
      return original(...args);
    };
    try {
      /** both searches equal storage; `hit`: on SQLite (this file's own database), answered without a read */
      const check = async (label: string, hit: boolean) => {
        const expected = await truth();
        const before = reads;
        expect(await restSearch(), `${label}: REST`).toEqual(expected);
        expect(await gqlSearch(), `${label}: GraphQL`).toEqual(expected);
        if (hit && dialect === 'sqlite') expect(reads - before, `${label}: answered from the cache`).toBe(0);
        return expected;
      };
      expect((await check('first', false)).map((u) => u.id)).toEqual([125]);
      await check('again', true);

      // Pierre (no match) gets a new phone number: the answers stay
      await put(124, { phoneNumber: '555-0124' });
      await check('a phone number outside the matches', true);
      // ... through GraphQL too
      const gqlPhone = await postman(t.app, admin, `mutation { userUpdate(userData: { userId: 126, companyId: ${COMPANY}, phone: "555-0126" }) { user { id } } }`);
      expect(gqlPhone.body).not.toHaveProperty('errors');
      await check('a GraphQL write outside the matches', true);

      // Pierre now matches: he enters both answers
      await put(124, { lastName: 'Joliot' });
      expect((await check('a user who starts to match', false)).map((u) => u.id)).toEqual([125, 124]);
      // a matched user's shown field changes
      await put(124, { phoneNumber: '555-9124' });
      expect((await check('a matched user changes', false)).find((u) => u.id === 124)?.phone).toBe('555-9124');
      // Irene stops matching (name and e-mail), through GraphQL and REST
      const gqlName = await postman(t.app, admin, `mutation { userUpdate(userData: { userId: 125, companyId: ${COMPANY}, lastName: "Curie" }) { user { id } } }`);
      expect(gqlName.body).not.toHaveProperty('errors');
      await check('a matched user renamed, e-mail still matching', false);
      await put(125, { email: 'irene@greatbuys.com' });
      expect((await check('a user who stops matching', false)).map((u) => u.id)).toEqual([124]);
      await check('settled', true);

      // a user created that matches, one deleted that matched
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ companyId: COMPANY, email: 'f.joliot@greatbuys.com', firstName: 'Frédéric', lastName: 'Joliot', phoneNumber: '', role: 2 }),
      });
      expect(created.statusCode, created.body).toBe(200);
      const newId = Number(created.json().data.userId);
      expect((await check('a matching user created', false)).map((u) => u.id)).toEqual([newId, 124]);
      const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v2/users/${newId}`, headers: { authorization: `Bearer ${admin}` } });
      expect(deleted.statusCode, deleted.body).toBe(200);
      expect((await check('a matching user deleted', false)).map((u) => u.id)).toEqual([124]);

      // another connection (another process, a SQL shell): Eve matches, unseen by the ledger
      const outside = await t.outside();
      await sql`UPDATE company_users SET last_name = 'Joliot' WHERE id = 126`.execute(outside.kysely);
      expect((await check('a change from another connection', false)).map((u) => u.id)).toEqual([126, 124]);
    } finally {
      services.list = original;
    }
  });
});
