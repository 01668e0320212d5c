import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { type B2bTokens, signInDemoPeople } from '../helpers/reliability-requests-b2b-rest.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Domain events carry the exact state before and after each write, read inside the write's
 * transaction under the row's lock: concurrent writes of one Company user, through REST and
 * GraphQL at once, report one unbroken chain (each event's `before` is the previous one's
 * `after`), and a delete racing updates ends the chain. On both engines.
 */
interface Snapshot {
  id: number;
  firstName: string;
  lastName: string;
  phone: string;
  updatedAt: number;
}
interface ChainEvent {
  seq: number;
  type: string;
  subject: { userId: number };
  before: Snapshot | null;
  after: Snapshot | null;
}

describe.each(dialects)('event chains on %s', (dialect) => {
  let t: TestApp;
  let tokens: B2bTokens;
  beforeAll(async () => {
    t = await createTestApp({ dialect });
    tokens = await signInDemoPeople(t.app);
  });
  afterAll(async () => t.close());

  const restPut = (id: number, firstName: string) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/v2/users/${id}`,
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      payload: { firstName, lastName: `Rest ${firstName}`, email: 'i.joliot@greatbuys.com', phoneNumber: `p-${firstName}`, role: '2' },
    });
  const graphqlUpdate = (id: number, firstName: string) =>
    t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      payload: { query: 'mutation ($data: UserUpdateInputType!) { userUpdate(userData: $data) { user { id firstName } } }', variables: { data: { userId: id, companyId: 123456, firstName } } },
    });
  const events = async (userId: number): Promise<ChainEvent[]> => {
    const res = await t.app.inject({ method: 'GET', url: '/_roster/events?type=company.user&limit=1000' });
    return (res.json().events as ChainEvent[]).filter((e) => e.subject.userId === userId);
  };

  it('20 concurrent updates of one user (REST and GraphQL mixed) report 20 events forming one unbroken chain', async () => {
    await t.app.inject({ method: 'DELETE', url: '/_roster/events' });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? restPut(125, `R${i}`) : graphqlUpdate(125, `G${i}`))));
    for (const res of results) expect(res.statusCode).toBe(200);
    for (const res of results.filter((_, i) => i % 2 === 1)) expect(res.json().errors).toBeUndefined();

    const chain = await events(125);
    expect(chain).toHaveLength(20);
    expect(chain.every((e) => e.type === 'company.user.updated')).toBe(true);
    expect(chain.map((e) => e.seq)).toEqual([...chain.map((e) => e.seq)].sort((a, b) => a - b));
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.before, `event ${i}`).toEqual(chain[i - 1]?.after);
    // every write shows in the chain exactly once, and the last `after` is what is stored
    const written = new Set(chain.map((e) => e.after?.firstName));
    expect(written.size).toBe(20);
    const stored = await t.database.kysely.selectFrom('company_users').select(['first_name', 'last_name', 'phone']).where('id', '=', 125).executeTakeFirstOrThrow();
    const last = chain.at(-1)?.after;
    expect({ first_name: last?.firstName, last_name: last?.lastName, phone: last?.phone }).toEqual(stored);
  });

  it('GraphQL partial updates racing each other never undo each other', async () => {
    const fields = ['firstName', 'lastName', 'phone'] as const;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const field = fields[i % 3] as (typeof fields)[number];
        return t.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
          payload: { query: 'mutation ($data: UserUpdateInputType!) { userUpdate(userData: $data) { user { id } } }', variables: { data: { userId: 125, companyId: 123456, [field]: `${field}-${i}` } } },
        });
      }),
    );
    for (const res of results) expect(res.json().errors).toBeUndefined();
    const stored = await t.database.kysely.selectFrom('company_users').select(['first_name', 'last_name', 'phone']).where('id', '=', 125).executeTakeFirstOrThrow();
    // each field holds one of the values written to it (the last writer of that field), never an older one
    expect(stored.first_name).toMatch(/^firstName-(0|3|6|9)$/);
    expect(stored.last_name).toMatch(/^lastName-(1|4|7|10)$/);
    expect(stored.phone).toMatch(/^phone-(2|5|8|11)$/);
  });

  it('a delete racing updates ends the chain: updates before it chain up, the delete reports the last state, nothing follows', async () => {
    await t.app.inject({ method: 'DELETE', url: '/_roster/events' });
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? restPut(125, `D${i}`) : graphqlUpdate(125, `E${i}`))),
      t.app.inject({ method: 'DELETE', url: '/api/v2/users/125', headers: { authorization: `Bearer ${tokens.admin}` } }),
      ...Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? restPut(125, `F${i}`) : graphqlUpdate(125, `H${i}`))),
    ]);
    expect(answers[8]?.statusCode).toBe(200);
    const chain = await events(125);
    const deletes = chain.filter((e) => e.type === 'company.user.deleted');
    expect(deletes).toHaveLength(1);
    expect(chain.at(-1)?.type).toBe('company.user.deleted');
    expect(chain.at(-1)?.after).toBeNull();
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.before, `event ${i}`).toEqual(chain[i - 1]?.after);
    // one event per update that succeeded; those that came after the delete were refused (404)
    const succeeded = answers.filter((res, i) => i !== 8 && res.statusCode === 200 && res.json().errors === undefined).length;
    expect(chain.length - 1).toBe(succeeded);
    const refused = answers.filter((res, i) => i !== 8 && !(res.statusCode === 200 && res.json().errors === undefined));
    for (const res of refused) expect(res.statusCode === 404 || res.json().errors?.[0]?.extensions?.code === 404).toBe(true);
    expect(await t.database.kysely.selectFrom('company_users').select('id').where('id', '=', 125).executeTakeFirst()).toBeUndefined();
  });
});
