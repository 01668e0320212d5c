import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  accountApiState,
  accountDemo,
  accountUserCount,
  expectCountsConsistent,
  expectData,
  expectOneError,
  gql,
  NOW,
  NOW_ISO,
  STORE_1,
  STORE_2,
  STORE_B,
  storeUserCount,
} from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const LATER = NOW + 3_600_000;
const LATER_ISO = '2026-01-02T04:04:05Z';

const ADD_TO_ACCOUNT = 'mutation ($email: String!) { account { addUserToAccount(input: { email: $email }) { account { accountInfo { name } } } } }';
const REMOVE_FROM_ACCOUNT = 'mutation ($email: String!) { account { removeUserFromAccount(input: { email: $email }) { accountId userId } } }';
const ADD_TO_STORE = 'mutation ($user: UserIdentityInput!, $storeId: ID!) { user { addUserToStore(input: { user: $user, storeId: $storeId }) { storeId } } }';
const REMOVE_FROM_STORE =
  'mutation ($storeId: ID!, $userId: ID!) { user { removeUserFromStore(input: { storeId: $storeId, userId: $userId }) { storeId user { id email firstName lastName locale permissions status apps { edges { node { id name } } } } } } }';

/** The demo world, with john.doe granted apps 7488 and 4869 in Plant Market (to see grants, by id, in a removal payload). */
function fixture() {
  const demo = accountDemo();
  demo.accounts[0].stores[0].users[1].apps = [7488, 4869];
  return demo;
}

async function accountMember(t: TestApp, email: string) {
  const res = await gql(t, 'query ($e: String) { account { users(filters: { email: $e }) { edges { node { id email firstName lastName locale status lastLoginAt permissions updatedAt } } } } }', { e: email });
  return expectData(res).account.users.edges[0]?.node;
}

async function storeMember(t: TestApp, storeIndex: number, email: string) {
  const res = await gql(t, 'query ($e: String) { account { stores { edges { node { users(filters: { email: $e }) { edges { node { id status permissions lastLoginAt updatedAt } } } } } } } }', { e: email });
  return expectData(res).account.stores.edges[storeIndex].node.users.edges[0]?.node;
}

describe.each(dialects)('Account API mutations on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, fixture: fixture() });
  });
  afterAll(async () => t.close());
  // every test starts from the fixture (the emulator's reset restores its rows in one transaction)
  beforeEach(async () => {
    const reset = await t.app.inject({ method: 'POST', url: '/_roster/reset', payload: {} });
    expect(reset.statusCode).toBe(200);
    t.clock.freeze(NOW);
  });
  afterEach(async () => {
    await expectCountsConsistent(t.database.kysely);
  });

  describe('§4.5 addUserToAccount', () => {
    it('creates a PENDING user for an unknown e-mail (§10 #1) and is idempotent (§10 #2)', async () => {
      t.clock.advance(LATER - NOW);
      const res = await gql(t, ADD_TO_ACCOUNT, { email: '  Pat.New@Example.com ' });
      expect(expectData(res)).toEqual({ account: { addUserToAccount: { account: { accountInfo: { name: 'Jane Doe' } } } } });
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(4);
      const member = await accountMember(t, 'pat.new@example.com');
      expect(member).toEqual({
        id: 'bc/account/user/2002',
        email: 'Pat.New@Example.com',
        firstName: null,
        lastName: null,
        locale: 'en',
        status: 'PENDING',
        lastLoginAt: null,
        permissions: null,
        updatedAt: LATER_ISO,
      });
      const user = await t.database.kysely.selectFrom('users').selectAll().where('id', '=', 2002).executeTakeFirstOrThrow();
      expect(user).toMatchObject({ email: 'Pat.New@Example.com', email_key: 'pat.new@example.com', status: 'PENDING' });

      t.clock.advance(1000);
      const again = await gql(t, ADD_TO_ACCOUNT, { email: 'PAT.NEW@example.com' });
      expect(expectData(again)).toEqual(expectData(res));
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(4);
      expect((await accountMember(t, 'pat.new@example.com')).updatedAt).toBe(LATER_ISO);
      expect(await t.database.kysely.selectFrom('users').select('id').where('email_key', '=', 'pat.new@example.com').execute()).toHaveLength(1);
    });

    it('adds an existing user of another account as ACTIVE (§11 #8) without creating a user', async () => {
      t.clock.advance(LATER - NOW);
      const res = await gql(t, ADD_TO_ACCOUNT, { email: 'OWNER@other.example' });
      expectData(res);
      expect(await accountMember(t, 'owner@other.example')).toMatchObject({ id: 'bc/account/user/2001', email: 'owner@other.example', status: 'ACTIVE', updatedAt: LATER_ISO });
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(4);
      expect(await accountUserCount(t.database.kysely, ACCOUNT_B)).toBe(1);
      const count = await t.database.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(4);
    });

    it('the payload account reflects the new member (same request)', async () => {
      const res = await gql(t, 'mutation { account { addUserToAccount(input: { email: "x@y.z" }) { account { id users { collectionInfo { totalItems } } } } } }');
      expect(expectData(res).account.addUserToAccount.account).toEqual({ id: `bc/account/account/${ACCOUNT_A}`, users: { collectionInfo: { totalItems: 4 } } });
    });

    it.each(['', '   ', 'no-at-sign', 'two@@example.com', 'a@b@c', '@example.com', 'someone@', `${'a'.repeat(250)}@b.com`, 'nul\u0000@example.com'])(
      '§10 #3: rejects %j with BAD_USER_INPUT "Invalid email" and changes nothing',
      async (email) => {
        const before = await accountApiState(t.database.kysely);
        const res = await gql(t, ADD_TO_ACCOUNT, { email });
        expectOneError(res, 'BAD_USER_INPUT', 'Invalid email');
        expect(res.body.data).toEqual({ account: { addUserToAccount: null } });
        expect(res.body.errors?.[0]?.path).toEqual(['account', 'addUserToAccount']);
        expect(await accountApiState(t.database.kysely)).toEqual(before);
      },
    );
  });

  describe('§4.6 removeUserFromAccount', () => {
    it('removes the account membership and every store membership in the account; the user survives (§10 #11)', async () => {
      t.clock.advance(LATER - NOW);
      const res = await gql(t, REMOVE_FROM_ACCOUNT, { email: 'John.Doe@example.com' });
      expect(expectData(res)).toEqual({
        account: { removeUserFromAccount: { accountId: `bc/account/account/${ACCOUNT_A}`, userId: 'bc/account/user/1002' } },
      });
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(2);
      expect(await storeUserCount(t.database.kysely, STORE_1.id)).toBe(2);
      expect(await accountMember(t, 'john.doe@example.com')).toBeUndefined();
      expect(await storeMember(t, 0, 'john.doe@example.com')).toBeUndefined();
      const db = t.database.kysely;
      expect(await db.selectFrom('store_users').selectAll().where('user_id', '=', 1002).execute()).toEqual([]);
      expect(await db.selectFrom('store_user_apps').selectAll().where('user_id', '=', 1002).execute()).toEqual([]);
      const user = await db.selectFrom('users').select(['id', 'updated_at']).where('id', '=', 1002).executeTakeFirstOrThrow();
      expect(Number(user.updated_at)).toBe(LATER);
    });

    it('keeps the user in their other accounts', async () => {
      expectData(await gql(t, ADD_TO_ACCOUNT, { email: 'owner@other.example' }));
      expectData(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'owner@other.example' }));
      const other = await gql(t, 'query { account { users { edges { node { id } } } } }', undefined, { token: 'demo-other-account-token', account: ACCOUNT_B });
      expect(expectData(other).account.users.edges).toEqual([{ node: { id: 'bc/account/user/2001' } }]);
    });

    it('NOT_FOUND for an unknown e-mail or a non-member; FORBIDDEN for the account owner; nothing changes', async () => {
      const before = await accountApiState(t.database.kysely);
      expectOneError(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'nobody@example.com' }), 'NOT_FOUND', 'User not found');
      expectOneError(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'owner@other.example' }), 'NOT_FOUND', 'User not found');
      expectOneError(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'JANE.doe@example.com' }), 'FORBIDDEN', 'The account owner cannot be removed');
      expectOneError(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'not an email' }), 'BAD_USER_INPUT', 'Invalid email');
      expect(await accountApiState(t.database.kysely)).toEqual(before);
    });

    it('a second removal is NOT_FOUND', async () => {
      expectData(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'john.citizen@example.com' }));
      expectOneError(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'john.citizen@example.com' }), 'NOT_FOUND', 'User not found');
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(2);
    });
  });

  describe('§4.7 addUserToStore', () => {
    it('by id for a member; input store id by numeric id, output by hash; No_Permission_Required only (§10 #4, #9)', async () => {
      // the events of this test only (a reset keeps the journal)
      expect((await t.app.inject({ method: 'DELETE', url: '/_roster/events' })).statusCode).toBeLessThan(300);
      t.clock.advance(LATER - NOW);
      const res = await gql(t, ADD_TO_STORE, { user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_2.id}` });
      expect(expectData(res)).toEqual({ user: { addUserToStore: { storeId: `bc/account/store/${STORE_2.hash}` } } });
      expect(await storeUserCount(t.database.kysely, STORE_2.id)).toBe(2);
      expect(await storeMember(t, 1, 'john.doe@example.com')).toEqual({
        id: 'bc/account/user/1002',
        status: 'ACTIVE',
        permissions: ['No_Permission_Required'],
        lastLoginAt: null,
        updatedAt: LATER_ISO,
      });
      // §10 #28: the membership change bumps the user's updatedAt everywhere
      expect((await accountMember(t, 'john.doe@example.com')).updatedAt).toBe(LATER_ISO);
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(3);
      // the event (count, touch and e-mail are one statement on PostgreSQL) and the way back
      await gql(t, REMOVE_FROM_STORE, { storeId: `bc/account/store/${STORE_2.hash}`, userId: 'bc/account/user/1002' });
      expect(await storeUserCount(t.database.kysely, STORE_2.id)).toBe(1);
      const events = await t.app.inject({ method: 'GET', url: '/_roster/events?type=store.user' });
      expect(events.statusCode, events.body).toBe(200);
      const storeEvents = (events.json() as { events: { type: string; subject: unknown; before: unknown; after: unknown }[] }).events.map(({ type, subject, before, after }) => ({ type, subject, before, after }));
      const subject = { accountUuid: ACCOUNT_A, storeId: STORE_2.id, storeHash: STORE_2.hash, userId: 1002 };
      const member = { id: 1002, email: 'john.doe@example.com', status: 'ACTIVE', permissions: ['No_Permission_Required'] };
      expect(storeEvents).toEqual([
        { type: 'store.user.added', subject, before: null, after: member },
        { type: 'store.user.removed', subject, before: { ...member, apps: [] }, after: null },
      ]);
    });

    it('is idempotent and leaves existing permissions untouched (§10 #7)', async () => {
      const res = await gql(t, ADD_TO_STORE, { user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_1.hash}` });
      expect(expectData(res)).toEqual({ user: { addUserToStore: { storeId: `bc/account/store/${STORE_1.hash}` } } });
      expect(await storeUserCount(t.database.kysely, STORE_1.id)).toBe(3);
      expect((await storeMember(t, 0, 'john.doe@example.com')).permissions).toEqual(['Manage_Orders', 'Edit_Orders', 'Add_Orders', 'Read_Channels', 'No_Permission_Required']);
      expect((await storeMember(t, 0, 'john.doe@example.com')).updatedAt).toBe(NOW_ISO);
    });

    it('by e-mail for an unknown person: PENDING user, account and store membership (§10 #6, §11 #8)', async () => {
      const res = await gql(t, ADD_TO_STORE, { user: { email: 'Fresh@Example.com' }, storeId: `bc/account/store/${STORE_1.hash}` });
      expect(expectData(res)).toEqual({ user: { addUserToStore: { storeId: `bc/account/store/${STORE_1.hash}` } } });
      expect(await accountMember(t, 'fresh@example.com')).toMatchObject({ email: 'Fresh@Example.com', status: 'PENDING' });
      expect(await storeMember(t, 0, 'fresh@example.com')).toMatchObject({ status: 'PENDING', permissions: ['No_Permission_Required'] });
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(4);
      expect(await storeUserCount(t.database.kysely, STORE_1.id)).toBe(4);
    });

    it('by e-mail written as bc/account/user/{email} (§10 #10), for a member of another account', async () => {
      const res = await gql(t, ADD_TO_STORE, { user: { email: 'bc/account/user/owner@other.example' }, storeId: `bc/account/store/${STORE_2.hash}` });
      expectData(res);
      expect(await accountMember(t, 'owner@other.example')).toMatchObject({ id: 'bc/account/user/2001', status: 'ACTIVE' });
      expect(await storeMember(t, 1, 'owner@other.example')).toMatchObject({ id: 'bc/account/user/2001', status: 'ACTIVE' });
    });

    it('by id for a user outside the account: NOT_FOUND "User not found", the same whether the user exists or not (§10 #5)', async () => {
      const before = await accountApiState(t.database.kysely);
      for (const id of ['bc/account/user/2001', 'bc/account/user/999999']) {
        const res = await gql(t, ADD_TO_STORE, { user: { id }, storeId: `bc/account/store/${STORE_1.hash}` });
        expectOneError(res, 'NOT_FOUND', 'User not found');
        expect(res.body.data).toEqual({ user: { addUserToStore: null } });
      }
      expect(await accountApiState(t.database.kysely)).toEqual(before);
    });

    it('input errors: both/neither identity (§10 #8), malformed ids (§11 #11), invalid e-mail, stores of other accounts (§10 #9), store before user (§11 #14)', async () => {
      const before = await accountApiState(t.database.kysely);
      const cases: [Record<string, unknown>, string, string][] = [
        [{ user: { id: 'bc/account/user/1002', email: 'john.doe@example.com' }, storeId: `bc/account/store/${STORE_1.hash}` }, 'BAD_USER_INPUT', 'Provide exactly one of user.id or user.email'],
        [{ user: {}, storeId: `bc/account/store/${STORE_1.hash}` }, 'BAD_USER_INPUT', 'Provide exactly one of user.id or user.email'],
        [{ user: { id: null, email: null }, storeId: `bc/account/store/${STORE_1.hash}` }, 'BAD_USER_INPUT', 'Provide exactly one of user.id or user.email'],
        [{ user: { id: '1002' }, storeId: `bc/account/store/${STORE_1.hash}` }, 'BAD_USER_INPUT', 'Invalid id'],
        [{ user: { id: 'bc/account/user/1002' }, storeId: STORE_1.hash }, 'BAD_USER_INPUT', 'Invalid id'],
        [{ user: { id: 'bc/account/user/1002' }, storeId: 'bc/account/store/' }, 'BAD_USER_INPUT', 'Invalid id'],
        [{ user: { email: 'nope' }, storeId: `bc/account/store/${STORE_1.hash}` }, 'BAD_USER_INPUT', 'Invalid email'],
        [{ user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_B.hash}` }, 'NOT_FOUND', 'Store not found'],
        [{ user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_B.id}` }, 'NOT_FOUND', 'Store not found'],
        [{ user: { id: 'bc/account/user/1002' }, storeId: 'bc/account/store/nosuchstore' }, 'NOT_FOUND', 'Store not found'],
        [{ user: { id: 'bc/account/user/999999' }, storeId: 'bc/account/store/nosuchstore' }, 'NOT_FOUND', 'Store not found'],
        [{ user: { email: 'brand.new@example.com' }, storeId: `bc/account/store/${STORE_B.hash}` }, 'NOT_FOUND', 'Store not found'],
      ];
      for (const [input, code, message] of cases) {
        const res = await gql(t, ADD_TO_STORE, input);
        expectOneError(res, code, message);
      }
      expect(await accountApiState(t.database.kysely)).toEqual(before);
    });
  });

  describe('§4.8 removeUserFromStore', () => {
    it('removes only that membership and returns the user as the membership described them (§10 #12, §11 #9)', async () => {
      t.clock.advance(LATER - NOW);
      const res = await gql(t, REMOVE_FROM_STORE, { storeId: `bc/account/store/${STORE_1.hash}`, userId: 'bc/account/user/1002' });
      expect(expectData(res)).toEqual({
        user: {
          removeUserFromStore: {
            storeId: `bc/account/store/${STORE_1.hash}`,
            user: {
              id: 'bc/account/user/1002',
              email: 'john.doe@example.com',
              firstName: 'John',
              lastName: 'Doe',
              locale: 'en-US',
              permissions: ['Manage_Orders', 'Edit_Orders', 'Add_Orders', 'Read_Channels', 'No_Permission_Required'],
              status: 'ACTIVE',
              apps: {
                edges: [{ node: { id: 'bc/account/app/4869', name: 'ShipperHQ' } }, { node: { id: 'bc/account/app/7488', name: 'Buy Buttons' } }],
              },
            },
          },
        },
      });
      expect(await storeUserCount(t.database.kysely, STORE_1.id)).toBe(2);
      expect(await storeMember(t, 0, 'john.doe@example.com')).toBeUndefined();
      // still an account member, with a bumped updatedAt
      expect(await accountMember(t, 'john.doe@example.com')).toMatchObject({ id: 'bc/account/user/1002', updatedAt: LATER_ISO });
      expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(3);
      expect(await t.database.kysely.selectFrom('store_user_apps').selectAll().where('user_id', '=', 1002).execute()).toEqual([]);
    });

    it('accepts the numeric store id form too', async () => {
      const res = await gql(t, REMOVE_FROM_STORE, { storeId: `bc/account/store/${STORE_1.id}`, userId: 'bc/account/user/1003' });
      expect(expectData(res).user.removeUserFromStore.storeId).toBe(`bc/account/store/${STORE_1.hash}`);
    });

    it('NOT_FOUND for a non-store-user, FORBIDDEN for the store owner, store errors before user errors; nothing changes', async () => {
      const before = await accountApiState(t.database.kysely);
      const cases: [Record<string, unknown>, string, string][] = [
        [{ storeId: `bc/account/store/${STORE_2.hash}`, userId: 'bc/account/user/1002' }, 'NOT_FOUND', 'User not found'],
        [{ storeId: `bc/account/store/${STORE_1.hash}`, userId: 'bc/account/user/2001' }, 'NOT_FOUND', 'User not found'],
        [{ storeId: `bc/account/store/${STORE_1.hash}`, userId: 'bc/account/user/1001' }, 'FORBIDDEN', 'The store owner cannot be removed'],
        [{ storeId: `bc/account/store/${STORE_B.hash}`, userId: 'bc/account/user/2001' }, 'NOT_FOUND', 'Store not found'],
        [{ storeId: 'bc/account/store/nosuchstore', userId: 'bc/account/user/424242' }, 'NOT_FOUND', 'Store not found'],
        [{ storeId: `bc/account/store/${STORE_1.hash}`, userId: 'bc/account/user/abc' }, 'BAD_USER_INPUT', 'Invalid id'],
        [{ storeId: `bc/account/account/${ACCOUNT_A}`, userId: 'bc/account/user/1002' }, 'BAD_USER_INPUT', 'Invalid id'],
      ];
      for (const [input, code, message] of cases) {
        const res = await gql(t, REMOVE_FROM_STORE, input);
        expectOneError(res, code, message);
        expect(res.body.data).toEqual({ user: { removeUserFromStore: null } });
      }
      expect(await accountApiState(t.database.kysely)).toEqual(before);
    });
  });

  it('a removed user can be added back', async () => {
    expectData(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'john.citizen@example.com' }));
    expectData(await gql(t, ADD_TO_STORE, { user: { email: 'john.citizen@example.com' }, storeId: `bc/account/store/${STORE_1.hash}` }));
    expect(await accountMember(t, 'john.citizen@example.com')).toMatchObject({ id: 'bc/account/user/1003', firstName: 'John', status: 'ACTIVE' });
    expect(await storeMember(t, 0, 'john.citizen@example.com')).toMatchObject({ permissions: ['No_Permission_Required'] });
    expect(await accountUserCount(t.database.kysely, ACCOUNT_A)).toBe(3);
  });

  describe('concurrency: the same mutation 20 times in parallel yields one membership, all succeed', () => {
    it('addUserToAccount for a new e-mail', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => gql(t, ADD_TO_ACCOUNT, { email: 'rush@example.com' })));
      for (const res of results) expect(expectData(res)).toEqual({ account: { addUserToAccount: { account: { accountInfo: { name: 'Jane Doe' } } } } });
      const db = t.database.kysely;
      expect(await db.selectFrom('users').select('id').where('email_key', '=', 'rush@example.com').execute()).toHaveLength(1);
      expect(await accountUserCount(db, ACCOUNT_A)).toBe(4);
    });

    it('addUserToStore by e-mail for a new person (account and store membership at once)', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => gql(t, ADD_TO_STORE, { user: { email: 'crowd@example.com' }, storeId: `bc/account/store/${STORE_2.hash}` })),
      );
      for (const res of results) expect(expectData(res)).toEqual({ user: { addUserToStore: { storeId: `bc/account/store/${STORE_2.hash}` } } });
      const db = t.database.kysely;
      expect(await db.selectFrom('users').select('id').where('email_key', '=', 'crowd@example.com').execute()).toHaveLength(1);
      expect(await accountUserCount(db, ACCOUNT_A)).toBe(4);
      expect(await storeUserCount(db, STORE_2.id)).toBe(2);
    });

    it('addUserToStore by id for a member', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => gql(t, ADD_TO_STORE, { user: { id: 'bc/account/user/1003' }, storeId: `bc/account/store/${STORE_2.hash}` })),
      );
      for (const res of results) expectData(res);
      expect(await storeUserCount(t.database.kysely, STORE_2.id)).toBe(2);
    });

    it('removeUserFromAccount racing addUserToStore for the same user keeps the counters exact', async () => {
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => gql(t, ADD_TO_STORE, { user: { id: 'bc/account/user/1003' }, storeId: `bc/account/store/${STORE_2.hash}` })),
        gql(t, REMOVE_FROM_ACCOUNT, { email: 'john.citizen@example.com' }),
        ...Array.from({ length: 5 }, () => gql(t, ADD_TO_STORE, { user: { id: 'bc/account/user/1003' }, storeId: `bc/account/store/${STORE_2.hash}` })),
      ]);
      for (const res of results) {
        expect(res.status).toBe(200);
        for (const error of res.body.errors ?? []) expect(error.extensions?.code).toBe('NOT_FOUND');
      }
      // afterEach checks user_count against the rows
    });
  });
});
