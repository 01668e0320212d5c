import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, ACCOUNT_TOKEN, ADMIN_USER, adminB2bToken, createAdminTestApp, type Inject, injector, STORE } from '../admin-support.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * What the server keeps after a request may not outgrow what its caches allow (issue #14: bound
 * what one request may cost).
 * - The emulator's request journal kept the parsed body: 64 KiB of `[[[…]]]` parsed is 32,000
 *   arrays (~1.8 MB), so its 500 entries held ~900 MB and a full GC paused the server ~430 ms, and
 *   500 nested bodies of 400 KB (under the 1 MiB limit, no credentials needed) ran it out of
 *   memory. Now it keeps a JSON body's text (http/json-body.ts), and nothing of a body over 64 KiB.
 * - The GraphQL document caches were bounded by count only, and the errors they kept held the
 *   parsed document through their stack frames: 200 documents of 19,000 tokens, no credentials
 *   needed, kept 1.8 GB (1,000 would have kept ~9 GB). Now they are bounded by weight
 *   (shared/weighted-lru.ts) and kept errors let their frames go (withoutFrames).
 *
 * Measured as heap kept after a full collection (not time): bounds far above what the journal
 * keeps now and far below what it kept before. The journal is storage-independent: SQLite only.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

function heapAfterCollection(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory kept after requests', () => {
  let t: TestApp;
  let inject: Inject;
  let b2bToken: string;
  beforeAll(async () => {
    t = await createAdminTestApp('sqlite');
    inject = injector(t);
    b2bToken = await adminB2bToken(inject);
  });
  afterAll(async () => t.close());

  /** one request of each JSON edge with `deep` inside its body, one after the other (the journal's order) */
  const sendAll = async (deep: string) => [
    await inject({ method: 'POST', url: '/api/v2/users', headers: { authorization: `Bearer ${b2bToken}`, 'content-type': 'application/json' }, payload: `{"email":${deep}}` }),
    await inject({
      method: 'POST',
      url: '/api/v3/io/users/bulk',
      headers: { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': STORE, 'content-type': 'application/json' },
      payload: `[{"email":${deep}}]`,
    }),
    await inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: `{"query":"{ userExtraFields { fieldName } }","variables":{"v":${deep}}}` }),
    await inject({
      method: 'POST',
      url: `/accounts/${ACCOUNT}/graphql`,
      headers: { 'x-auth-token': ACCOUNT_TOKEN, 'content-type': 'application/json' },
      payload: `{"query":"{ account { id } }","variables":{"v":${deep}}}`,
    }),
  ];

  it('keeps a nested body under 64 KiB as its text, shown parsed and cut at depth 30 when read', async () => {
    await inject({ method: 'DELETE', url: '/_roster/requests' });
    const deep = nestedArrays(30_000); // ~60 KB of text, ~1.7 MB once parsed
    const before = heapAfterCollection();
    for (let i = 0; i < 60; i++) for (const res of await sendAll(deep)) expect(res.statusCode).toBeLessThan(500);
    const kept = heapAfterCollection() - before;
    // 240 texts of 60 KB are ~14 MB; parsed, they were ~400 MB
    expect(kept / MB).toBeLessThan(60);
    const journal = await inject({ method: 'GET', url: '/_roster/requests?limit=4' });
    expect(journal.statusCode).toBe(200);
    const entries = journal.json().requests as { api: string; operation: string; request: { body: Record<string, unknown> } }[];
    expect(entries.map((e) => e.api)).toEqual(['b2b-rest', 'b2b-management', 'b2b-graphql', 'account-graphql']);
    expect(entries.map((e) => e.operation)).toEqual(['POST /api/v2/users', 'POST /api/v3/io/users/bulk', 'userExtraFields', 'account.id']);
    expect(JSON.stringify(entries[0]?.request.body)).toContain('[nested deeper than 30 levels: not shown]');
    expect(JSON.stringify(entries[1]?.request.body)).toContain('[nested deeper than 30 levels: not shown]');
  });

  it('keeps nothing of a body over 64 KiB (it still names the operation)', async () => {
    await inject({ method: 'DELETE', url: '/_roster/requests' });
    const deep = nestedArrays(200_000); // 400 KB
    const before = heapAfterCollection();
    for (let i = 0; i < 60; i++) for (const res of await sendAll(deep)) expect(res.statusCode).toBeLessThan(500);
    const kept = heapAfterCollection() - before;
    // 240 bodies of 400 KB are 96 MB as text; parsed, several GB
    expect(kept / MB).toBeLessThan(24);
    const entries = (await inject({ method: 'GET', url: '/_roster/requests?limit=4' })).json().requests as { operation: string; request: { body: unknown } }[];
    expect(entries.map((e) => e.operation)).toEqual(['POST /api/v2/users', 'POST /api/v3/io/users/bulk', 'userExtraFields', 'account.id']);
    for (const e of entries) expect(e.request.body).toMatch(/^\[body of 4\d{5} bytes not kept\]$/);
  });

  it('keeps a bounded amount of many large GraphQL documents, however many come', async () => {
    const before = heapAfterCollection();
    for (let i = 0; i < 120; i++) {
      // 19,000 fields: parsed, then refused by the selections limit (its error used to hold the whole tree)
      const res = await inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: `{ ${'a '.repeat(19_000)} b${i} }` } });
      expect(res.statusCode).toBe(200);
      expect(res.json().errors[0].message).toContain('selections');
    }
    const kept = heapAfterCollection() - before;
    // ~1.1 GB before; the caches' budgets now allow some tens of MB
    expect(kept / MB).toBeLessThan(150);
    // and the server answers the next request as usual
    const again = await inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: '{ userEmailCheck(email: "x@example.org") { userType } }' } });
    expect(again.statusCode).toBe(200);
  });

  it('redacts secrets in a JSON body of any length it keeps (text over 16 KiB included)', async () => {
    await inject({ method: 'DELETE', url: '/_roster/requests' });
    const pad = 'p'.repeat(40_000);
    const signIn = await inject({
      method: 'POST',
      url: '/api/io/auth/customers',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ storeHash: STORE, email: ADMIN_USER.email, password: ADMIN_USER.password, channelId: 1, name: 'padded', pad }),
    });
    expect(signIn.statusCode).toBe(200);
    const journal = await inject({ method: 'GET', url: '/_roster/requests' });
    expect(journal.body).not.toContain(ADMIN_USER.password);
    const [entry] = journal.json().requests as { principal: unknown; request: { body: Record<string, unknown> } }[];
    expect(entry?.request.body).toMatchObject({ email: ADMIN_USER.email, password: '[redacted]', pad });
    expect(entry?.principal).toEqual({ type: 'credentials', email: ADMIN_USER.email, storeHash: STORE });
  });
});
