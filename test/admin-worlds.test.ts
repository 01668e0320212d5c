import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, type TestApp } from './helpers/test-app.js';
import {
  ACCOUNT,
  addAccountUser,
  adminB2bToken,
  createAdminTestApp,
  createCompanyUser,
  emailsOf,
  exportState,
  type Inject,
  injector,
} from './admin-support.js';

/** every dialect, and SQLite once more with its world images (baseline, snapshots) in files, as big worlds keep them */
const cases = [
  ...dialects.map((dialect) => ({ name: dialect, dialect, options: {} })),
  { name: 'sqlite with file images', dialect: 'sqlite' as const, options: { sqliteFile: true, sqliteImageMemoryBytes: 0 } },
];

describe.each(cases)('emulator worlds on $name', ({ dialect, options }) => {
  let t: TestApp;
  let inject: Inject;
  let fixtureState: unknown;
  beforeAll(async () => {
    t = await createAdminTestApp(dialect, options);
    inject = injector(t);
    fixtureState = await exportState(inject);
  });
  afterAll(async () => t.close());

  async function idCounters(): Promise<unknown> {
    return t.database.kysely.selectFrom('id_counters').selectAll().orderBy('name').execute();
  }

  it('reset after writes through the APIs and the storage layer gives back exactly the fixture state', async () => {
    const countersBefore = await idCounters();
    const added = await addAccountUser(inject, '', 'new.member@example.com');
    expect(added.statusCode).toBe(200);
    expect(added.json().errors).toBeUndefined();
    const token = await adminB2bToken(inject);
    const created = await createCompanyUser(inject, '', token, 'new.buyer@greatbuys.com');
    expect(created.statusCode).toBe(200);
    const firstUserId = created.json().data.userId;
    await t.database.kysely.updateTable('accounts').set({ name: 'Renamed directly' }).where('uuid', '=', ACCOUNT).execute();

    const written = await exportState(inject);
    expect(emailsOf(written)).toEqual(expect.arrayContaining(['new.member@example.com', 'new.buyer@greatbuys.com']));
    expect(written).not.toEqual(fixtureState);
    const versionBefore = t.app.services.dataVersion;

    const res = await inject({ method: 'POST', url: '/_roster/reset' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ world: 'main', cleared: ['data', 'rateLimitCounters'] });
    expect(await exportState(inject)).toEqual(fixtureState);
    expect(await idCounters()).toEqual(countersBefore);
    expect(t.app.services.dataVersion).toBeGreaterThan(versionBefore);

    // the id counters went back too: the same write gets the same id again
    const again = await createCompanyUser(inject, '', await adminB2bToken(inject), 'new.buyer@greatbuys.com');
    expect(again.statusCode).toBe(200);
    expect(again.json().data.userId).toBe(firstUserId);
    expect((await inject({ method: 'POST', url: '/_roster/reset', payload: {} })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(fixtureState);
  });

  it('snapshots: take, list, restore, replace and delete', async () => {
    expect((await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'clean' } })).statusCode).toBe(201);
    expect((await addAccountUser(inject, '', 'snap.one@example.com')).statusCode).toBe(200);
    const withOne = await exportState(inject);
    const memberships = (await t.database.kysely.selectFrom('account_users').select('user_id').execute()).length;
    const taken = await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'one-user' } });
    expect(taken.statusCode).toBe(201);
    expect(taken.json()).toMatchObject({ name: 'one-user', replaced: false });
    expect((await addAccountUser(inject, '', 'snap.two@example.com')).statusCode).toBe(200);

    const list = await inject({ method: 'GET', url: '/_roster/snapshots' });
    expect(list.json().snapshots.map((s: { name: string }) => s.name)).toEqual(['clean', 'one-user']);
    const one = await inject({ method: 'GET', url: '/_roster/snapshots/one-user' });
    expect(one.statusCode).toBe(200);
    expect(one.json().rows.account_users).toBe(memberships);

    expect((await inject({ method: 'POST', url: '/_roster/snapshots/one-user/restore' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(withOne);
    expect((await inject({ method: 'POST', url: '/_roster/snapshots/clean/restore' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(fixtureState);

    const replaced = await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'one-user' } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().replaced).toBe(true);
    expect((await inject({ method: 'POST', url: '/_roster/snapshots/one-user/restore' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(fixtureState);

    expect((await inject({ method: 'DELETE', url: '/_roster/snapshots/one-user' })).statusCode).toBe(204);
    const gone = await inject({ method: 'POST', url: '/_roster/snapshots/one-user/restore' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ error: { code: 'SNAPSHOT_NOT_FOUND', message: 'No snapshot named "one-user"' } });
    expect((await inject({ method: 'DELETE', url: '/_roster/snapshots/one-user' })).statusCode).toBe(404);
    const badName = await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'no spaces please' } });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().error.code).toBe('BAD_REQUEST');
    expect((await inject({ method: 'DELETE', url: '/_roster/snapshots/clean' })).statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/_roster/snapshots' })).json()).toEqual({ snapshots: [] });
  });

  it('two forks and the main world written in parallel stay isolated', async () => {
    const a = await inject({ method: 'POST', url: '/_roster/forks' });
    const b = await inject({ method: 'POST', url: '/_roster/forks' });
    expect(a.statusCode).toBe(201);
    const forkA = a.json();
    const forkB = b.json();
    expect(forkA).toMatchObject({ parent: 'main', url: `http://localhost:80/f/${forkA.id}`, b2bGraphqlUrl: `http://localhost:80/f/${forkA.id}/graphql` });
    expect(forkA.id).not.toBe(forkB.id);
    const pa = `/f/${forkA.id}`;
    const pb = `/f/${forkB.id}`;

    const [tokenMain, tokenA, tokenB] = await Promise.all([adminB2bToken(inject), adminB2bToken(inject, pa), adminB2bToken(inject, pb)]);
    const results = await Promise.all([
      addAccountUser(inject, '', 'main.only@example.com'),
      addAccountUser(inject, pa, 'fork.a@example.com'),
      addAccountUser(inject, pb, 'fork.b@example.com'),
      createCompanyUser(inject, '', tokenMain, 'main.buyer@greatbuys.com'),
      createCompanyUser(inject, pa, tokenA, 'a.buyer@greatbuys.com'),
      createCompanyUser(inject, pb, tokenB, 'b.buyer@greatbuys.com'),
    ]);
    for (const r of results) expect(r.statusCode, r.body).toBe(200);

    const fixtureEmails = emailsOf(fixtureState);
    expect(emailsOf(await exportState(inject))).toEqual([...fixtureEmails, 'main.buyer@greatbuys.com', 'main.only@example.com'].sort());
    expect(emailsOf(await exportState(inject, pa))).toEqual([...fixtureEmails, 'a.buyer@greatbuys.com', 'fork.a@example.com'].sort());
    expect(emailsOf(await exportState(inject, pb))).toEqual([...fixtureEmails, 'b.buyer@greatbuys.com', 'fork.b@example.com'].sort());

    // each world journals its own requests only
    const journalA = (await inject({ method: 'GET', url: `${pa}/_roster/requests?limit=100` })).json();
    expect(journalA.world).toBe(forkA.id);
    expect(journalA.requests.length).toBe(3);
    expect(journalA.requests.every((r: { world: string }) => r.world === forkA.id)).toBe(true);

    // a reset inside a fork returns that fork (only) to the fixture state
    expect((await inject({ method: 'POST', url: `${pb}/_roster/reset` })).statusCode).toBe(200);
    expect(await exportState(inject, pb)).toEqual(fixtureState);
    expect(emailsOf(await exportState(inject, pa))).toContain('fork.a@example.com');

    const listed = (await inject({ method: 'GET', url: '/_roster/forks' })).json();
    expect(listed.forks.map((f: { id: string }) => f.id).sort()).toEqual([forkA.id, forkB.id].sort());
    expect((await inject({ method: 'DELETE', url: `/_roster/forks/${forkA.id}` })).statusCode).toBe(204);
    const gone = await inject({ method: 'GET', url: `${pa}/healthz` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('FORK_NOT_FOUND');
    expect((await inject({ method: 'DELETE', url: `/_roster/forks/${forkA.id}` })).statusCode).toBe(404);
    expect((await inject({ method: 'DELETE', url: `/_roster/forks/${forkB.id}` })).statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/_roster/forks' })).json().forks).toEqual([]);
    expect((await inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
  });

  it('keeps 100 forks alive at once, each with its own writes', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const created = await Promise.all(Array.from({ length: 10 }, () => inject({ method: 'POST', url: '/_roster/forks' })));
      for (const res of created) {
        expect(res.statusCode, res.body).toBe(201);
        ids.push(res.json().id);
      }
    }
    expect(new Set(ids).size).toBe(100);
    const writes = await Promise.all(ids.map((id, i) => addAccountUser(inject, `/f/${id}`, `member${i}@example.com`)));
    for (const w of writes) expect(w.statusCode).toBe(200);
    for (const [i, id] of ids.entries()) {
      const rows = await inject({
        method: 'POST',
        url: `/f/${id}/accounts/${ACCOUNT}/graphql`,
        headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
        payload: { query: '{ account { users(first: 50) { edges { node { email } } } } }' },
      });
      const emails = rows.json().data.account.users.edges.map((e: { node: { email: string } }) => e.node.email);
      expect(emails).toContain(`member${i}@example.com`);
      expect(emails.filter((e: string) => e.startsWith('member'))).toEqual([`member${i}@example.com`]);
    }
    expect(emailsOf(await exportState(inject))).toEqual(emailsOf(fixtureState));
    const deleted = await Promise.all(ids.map((id) => inject({ method: 'DELETE', url: `/_roster/forks/${id}` })));
    for (const res of deleted) expect(res.statusCode).toBe(204);
  }, 120_000);

  it('POST /_roster/fixtures validates like start-up, writes nothing on error, and becomes the reset state', async () => {
    const broken = cloneDemo<{ accounts: { users: { email?: string }[] }[] }>();
    delete broken.accounts[0]?.users[1]?.email;
    const refused = await inject({ method: 'POST', url: '/_roster/fixtures', payload: broken });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'FIXTURE_INVALID', path: '$.accounts[0].users[1].email' });
    expect(refused.json().error.message).toMatch(/^Invalid fixture at \$\.accounts\[0\]\.users\[1\]\.email: /);
    expect(await exportState(inject)).toEqual(fixtureState);

    let notified = 0;
    const unsubscribe = t.app.services.onWorldChanged(() => {
      notified += 1;
    });
    const smaller = cloneDemo<{ accounts: unknown[]; settings: { b2bJwtSecret: string } }>();
    smaller.accounts = smaller.accounts.slice(0, 1);
    smaller.settings.b2bJwtSecret = 'another-secret-for-this-test';
    const loaded = await inject({ method: 'POST', url: '/_roster/fixtures', payload: smaller });
    expect(loaded.statusCode, loaded.body).toBe(200);
    expect(loaded.json().loaded.accounts).toBe(1);
    expect(notified).toBe(1);
    expect(t.app.services.settings.b2bJwtSecret).toBe('another-secret-for-this-test');
    const smallerState = await exportState(inject);
    expect((smallerState as { accounts: unknown[] }).accounts).toHaveLength(1);

    // export → load gives the same state
    expect((await inject({ method: 'POST', url: '/_roster/fixtures', payload: smallerState })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(smallerState);

    // reset now returns to the loaded fixture
    expect((await addAccountUser(inject, '', 'after.load@example.com')).statusCode).toBe(200);
    expect((await inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(smallerState);
    unsubscribe();

    expect((await inject({ method: 'POST', url: '/_roster/fixtures', payload: cloneDemo() })).statusCode).toBe(200);
    // passwords are hashed again with new salts: compare without secrets; and the demo gets the
    // load time where fixtureState carries the times it was exported with: compare without them
    const withoutTimes = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(withoutTimes)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'createdAt' && k !== 'updatedAt').map(([k, v]) => [k, withoutTimes(v)]))
          : value;
    const withoutSecrets = async () => withoutTimes((await inject({ method: 'GET', url: '/_roster/state' })).json());
    expect((await inject({ method: 'POST', url: '/_roster/fixtures', payload: fixtureState })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(fixtureState);
    expect((await inject({ method: 'POST', url: '/_roster/fixtures', payload: cloneDemo() })).statusCode).toBe(200);
    const demoAgain = await withoutSecrets();
    expect((await inject({ method: 'POST', url: '/_roster/fixtures', payload: fixtureState })).statusCode).toBe(200);
    expect(demoAgain).toEqual(await withoutSecrets());
    expect(t.app.services.settings.b2bJwtSecret).toBe(cloneDemo<{ settings: { b2bJwtSecret: string } }>().settings.b2bJwtSecret);
  });

  it('GET /_roster/state leaves secrets out unless includeSecrets=true', async () => {
    const plain = (await inject({ method: 'GET', url: '/_roster/state' })).body;
    expect(plain).not.toMatch(/tokenHash|passwordHash|b2bJwtSecret|storefrontJwtSecrets/);
    const full = (await inject({ method: 'GET', url: '/_roster/state?includeSecrets=true' })).body;
    expect(full).toMatch(/"tokenHash"/);
    expect(full).toMatch(/"passwordHash"/);
    expect(full).toMatch(/"b2bJwtSecret"/);
  });
});
