import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import { isForeignKeyViolation } from '../../db/db-errors.js';
import { transactionIdColumn } from '../../db/dialect.js';
import { allocateIds } from '../../db/id-counters.js';
import { runCompiled, runCompiledTogether, type WritePlan } from '../../db/shaped-query.js';
import type { DB, MemberStatus } from '../../db/tables.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { canRunAsOneStatement } from '../../db/tenant-ledger.js';
import { withoutEmail } from '../accounts/account-repository.js';
import { commitAsOneStatement, commitWithEvents, declareNothingChanged } from '../domain-events.js';
import type { EventSink, WorldEventInput } from '../domain-events.js';
import { listMembershipAppsBatch, membershipKey } from '../apps/app-repository.js';
import { findStore, findStoreMember, type Store, type StoreRef, toStore, toStoreMember } from '../stores/store-repository.js';
import { DEFAULT_STORE_PERMISSIONS } from '../stores/permission-catalogue.js';
import type { NormalizedEmail } from './email.js';
import type { RemovedStoreMember, StoreMember } from './user-types.js';
import { type AddToStoreRow, addMemberToStoreStatement, type RemoveFromStoreRow, removeMemberFromStoreStatement } from './membership-statements.js';

/**
 * Account and store memberships (account-graphql.md §4.5-§4.8, §10 #1-#12, §11 #8-#14).
 * Each operation is one transaction; membership rows are inserted with ON CONFLICT DO NOTHING and
 * deleted with RETURNING, so concurrent duplicates add one row and count it once. Counters are
 * updated after the membership rows, stores (ascending) before accounts, and the user's row last:
 * one lock order for every operation, so PostgreSQL never deadlocks on them.
 */
export interface MembershipDeps {
  database: Database;
  clock: Clock;
  /** state-change events, emitted after commit */
  events?: EventSink;
}

/** One transaction (retried on serialization failures/deadlocks); its events are emitted after commit. */
function commit<T>(deps: MembershipDeps, work: (trx: Transaction<DB>, events: WorldEventInput[]) => Promise<T>): Promise<T> {
  return commitWithEvents(deps.database, deps.events, work);
}

interface MemberSnapshot {
  id: number;
  email: string;
  status: MemberStatus;
  permissions?: readonly string[];
}

async function snapshotUser(trx: Transaction<DB>, userId: number, status: MemberStatus, permissions?: readonly string[]): Promise<MemberSnapshot> {
  const [row] = await runCompiled(trx, 'membership-user-email', [userId], () => trx.selectFrom('users').select('email').where('id', '=', userId));
  if (!row) throw new AppError('INTERNAL');
  return memberSnapshot(userId, row.email, status, permissions);
}

function memberSnapshot(id: number, email: string, status: MemberStatus, permissions?: readonly string[]): MemberSnapshot {
  return { id, email, status, ...(permissions ? { permissions } : {}) };
}

export type UserIdentity = { userId: number } | { email: NormalizedEmail };

export interface AddUserToAccountOutcome {
  userId: number;
  /** a new PENDING user was created (an invitation is due) */
  invited: boolean;
  /** the account membership was created by this call */
  added: boolean;
}

export interface AddUserToStoreOutcome {
  store: Store;
  userId: number;
  invited: boolean;
  added: boolean;
}

interface EnsuredUser {
  id: number;
  status: MemberStatus;
  created: boolean;
}

/** The user with this e-mail, created PENDING (no password, no names, locale "en") when unknown (§10 #1). */
async function ensureUser(trx: Transaction<DB>, email: NormalizedEmail, now: number): Promise<EnsuredUser> {
  const [existing] = await runCompiled(trx, 'membership-user-by-email-key', [email.key], () =>
    trx.selectFrom('users').select(['id', 'status']).where('email_key', '=', email.key),
  );
  if (existing) return { ...existing, created: false };
  const id = await allocateIds(trx, 'users');
  const inserted = await trx
    .insertInto('users')
    .values({
      id,
      email: email.email,
      email_key: email.key,
      first_name: null,
      last_name: null,
      locale: 'en',
      status: 'PENDING',
      last_login_at: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('email_key').doNothing())
    .returning(['id', 'status'])
    .executeTakeFirst();
  if (inserted) return { ...inserted, created: true };
  // created meanwhile by a concurrent request
  const raced = await trx.selectFrom('users').select(['id', 'status']).where('email_key', '=', email.key).executeTakeFirstOrThrow();
  return { ...raced, created: false };
}

/**
 * Locks an account membership until commit and returns its status (undefined: not a member).
 * A no-op UPDATE takes a row lock on PostgreSQL (and is harmless on SQLite, where transactions are
 * serial): removeUserFromAccount and addUserToStore both take it first, so a store membership can
 * never be added while the account membership is being removed (which would skew user_count).
 */
async function lockAccountMember(trx: Transaction<DB>, uuid: string, userId: number): Promise<MemberStatus | undefined> {
  const [row] = await runCompiled(trx, 'membership-lock-account-member', [uuid, userId], () =>
    trx
      .updateTable('account_users')
      .set((eb) => ({ status: eb.ref('status') }))
      .where('account_uuid', '=', uuid)
      .where('user_id', '=', userId)
      .returning(['status', transactionIdColumn(trx)]),
  );
  return row?.status;
}

/** Adds the account membership unless it exists; either way the membership is locked afterwards. */
async function ensureAccountMember(
  trx: Transaction<DB>,
  uuid: string,
  user: EnsuredUser,
  now: number,
): Promise<{ status: MemberStatus; added: boolean }> {
  // §11 #8: PENDING for a user created here, else the user's own status (ACTIVE when active elsewhere)
  const status: MemberStatus = user.created ? 'PENDING' : user.status;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const [inserted] = await runCompiled(trx, 'membership-account-insert', [uuid, user.id, status, now], () =>
      trx
        .insertInto('account_users')
        .values({ account_uuid: uuid, user_id: user.id, status, created_at: now })
        .onConflict((oc) => oc.columns(['account_uuid', 'user_id']).doNothing())
        .returning('status'),
    );
    if (inserted) return { status: inserted.status, added: true };
    const existing = await lockAccountMember(trx, uuid, user.id);
    if (existing !== undefined) return { status: existing, added: false };
    // removed between the two statements by a concurrent request: try again
  }
  throw new AppError('CONFLICT', 'The membership changed concurrently; try again');
}

async function adjustStoreCounts(trx: Transaction<DB>, storeIds: number[], delta: number): Promise<void> {
  for (const id of [...storeIds].sort((a, b) => a - b)) {
    await runCompiled(trx, 'membership-store-count', [delta, id], () =>
      trx
        .updateTable('stores')
        .set((eb) => ({ user_count: eb('user_count', '+', delta) }))
        .where('id', '=', id),
    );
  }
}

async function adjustAccountCount(trx: Transaction<DB>, uuid: string, delta: number): Promise<void> {
  await runCompiled(trx, 'membership-account-count', [delta, uuid], () =>
    trx
      .updateTable('accounts')
      .set((eb) => ({ user_count: eb('user_count', '+', delta) }))
      .where('uuid', '=', uuid),
  );
}

/** §10 #28: a membership change bumps the user's updatedAt. */
function touchUserPlan(userId: number, now: number): WritePlan<unknown> {
  return { key: 'membership-touch-user', parameters: [now, userId], build: (creator) => creator.updateTable('users').set({ updated_at: now }).where('id', '=', userId) };
}

async function touchUser(trx: Transaction<DB>, userId: number, now: number): Promise<void> {
  const touch = touchUserPlan(userId, now);
  await runCompiled(trx, touch.key, touch.parameters, () => touch.build(trx));
}

/**
 * One store membership added or removed: the store's count moved by `delta` and the user's
 * updatedAt bumped (§10 #28), as one statement on PostgreSQL (db/shaped-query.ts
 * runCompiledTogether: the touch runs as a WITH after the count, so stores are still locked before
 * users), and the user's e-mail for the event, read by the same statement. Two round trips fewer
 * than the count, the touch and snapshotUser one by one.
 */
async function countStoreAndTouchUser(trx: Transaction<DB>, storeId: number, delta: number, userId: number, now: number): Promise<string> {
  const count: WritePlan<{ email: string | null }> = {
    key: 'membership-store-count-email',
    parameters: [delta, storeId, userId],
    build: (creator) =>
      creator
        .updateTable('stores')
        .set((eb) => ({ user_count: eb('user_count', '+', delta) }))
        .where('id', '=', storeId)
        .returning((eb) => eb.selectFrom('users').select('email').where('id', '=', userId).as('email')),
  };
  const [row] = await runCompiledTogether(trx, touchUserPlan(userId, now), count);
  if (typeof row?.email !== 'string') throw new AppError('INTERNAL');
  return row.email;
}

/** §4.5, §10 #1-#2: idempotent; creates a PENDING user for an unknown e-mail. */
export async function addUserToAccount(deps: MembershipDeps, uuid: string, email: NormalizedEmail): Promise<AddUserToAccountOutcome> {
  const now = deps.clock.now();
  return commit(deps, async (trx, events) => {
    const user = await ensureUser(trx, email, now);
    const member = await ensureAccountMember(trx, uuid, user, now);
    if (member.added) {
      await adjustAccountCount(trx, uuid, 1);
      if (!user.created) await touchUser(trx, user.id, now);
      events.push({ type: 'account.user.added', subject: { accountUuid: uuid, userId: user.id }, before: null, after: await snapshotUser(trx, user.id, member.status) });
    } else declareNothingChanged(events); // a member already: only its row lock was taken
    return { userId: user.id, invited: user.created, added: member.added };
  });
}

/** §4.6, §10 #11: removes the account membership and every store membership in the account. */
export async function removeUserFromAccount(deps: MembershipDeps, uuid: string, email: NormalizedEmail): Promise<{ userId: number }> {
  const now = deps.clock.now();
  return commit(deps, async (trx, events) => {
    const user = await trx.selectFrom('users').select('id').where('email_key', '=', email.key).executeTakeFirst();
    if (!user) throw new AppError('USER_NOT_FOUND');
    const status = await lockAccountMember(trx, uuid, user.id);
    if (status === undefined) throw new AppError('USER_NOT_FOUND');
    const account = await trx.selectFrom('accounts').select('owner_user_id').where('uuid', '=', uuid).executeTakeFirstOrThrow();
    if (account.owner_user_id === user.id) throw new AppError('ACCOUNT_OWNER_NOT_REMOVABLE');
    // a store keeps an owner who is a member of its account
    const owned = await trx
      .selectFrom('stores')
      .select('id')
      .where('account_uuid', '=', uuid)
      .where('owner_user_id', '=', user.id)
      .limit(1)
      .executeTakeFirst();
    if (owned) throw new AppError('STORE_OWNER_NOT_REMOVABLE');
    const before = await snapshotUser(trx, user.id, status);
    const storeRows = await trx
      .deleteFrom('store_users')
      .where('account_uuid', '=', uuid)
      .where('user_id', '=', user.id)
      .returning(['store_id', 'status', 'permissions'])
      .execute();
    const removed = await trx.deleteFrom('account_users').where('account_uuid', '=', uuid).where('user_id', '=', user.id).returning('user_id').execute();
    await adjustStoreCounts(
      trx,
      storeRows.map((r) => r.store_id),
      -1,
    );
    if (removed.length > 0) await adjustAccountCount(trx, uuid, -1);
    await touchUser(trx, user.id, now);
    for (const row of storeRows) {
      events.push({
        type: 'store.user.removed',
        subject: { accountUuid: uuid, storeId: row.store_id, userId: user.id },
        before: { ...before, status: row.status, permissions: JSON.parse(row.permissions) as string[] },
        after: null,
      });
    }
    events.push({ type: 'account.user.removed', subject: { accountUuid: uuid, userId: user.id }, before, after: null });
    return { userId: user.id };
  });
}

/** §4.7, §10 #5-#10: by id for a member, by e-mail for anyone (added to the account first). Idempotent. */
export async function addUserToStore(deps: MembershipDeps, uuid: string, storeRef: StoreRef, identity: UserIdentity): Promise<AddUserToStoreOutcome> {
  const now = deps.clock.now();
  // a member of the account (the common case) as one statement where the database can; a user
  // to invite or to add to the account first goes through the transaction below
  const one = await addMemberToStoreAtOnce(deps, uuid, storeRef, identity, now);
  if (one !== undefined) return one;
  try {
    return await commit(deps, async (trx, events) => {
      const store = await findStore(trx, uuid, storeRef);
      if (!store) throw new AppError('STORE_NOT_FOUND');
      let userId: number;
      let status: MemberStatus;
      let invited = false;
      let accountAdded = false;
      if ('userId' in identity) {
        const memberStatus = await lockAccountMember(trx, uuid, identity.userId);
        // same answer whether or not the user exists elsewhere (§10 #5)
        if (memberStatus === undefined) throw new AppError('USER_NOT_FOUND');
        userId = identity.userId;
        status = memberStatus;
      } else {
        const user = await ensureUser(trx, identity.email, now);
        const member = await ensureAccountMember(trx, uuid, user, now);
        userId = user.id;
        status = member.status;
        invited = user.created;
        accountAdded = member.added;
      }
      const permissions = JSON.stringify(DEFAULT_STORE_PERMISSIONS);
      const [inserted] = await runCompiled(trx, 'membership-store-insert', [store.id, userId, uuid, status, permissions, null, now, now], () =>
        trx
          .insertInto('store_users')
          .values({ store_id: store.id, user_id: userId, account_uuid: uuid, status, permissions, last_login_at: null, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['store_id', 'user_id']).doNothing())
          .returning('user_id'),
      );
      const storeAdded = inserted !== undefined;
      // a member of the account added to one more store (the common case): count, touch and the
      // e-mail in one statement; otherwise stores, the account, then the user, one by one
      let email: string | undefined;
      if (storeAdded && !accountAdded && !invited) email = await countStoreAndTouchUser(trx, store.id, 1, userId, now);
      else {
        if (storeAdded) await adjustStoreCounts(trx, [store.id], 1);
        if (accountAdded) await adjustAccountCount(trx, uuid, 1);
        if ((storeAdded || accountAdded) && !invited) await touchUser(trx, userId, now);
      }
      if (accountAdded) {
        events.push({ type: 'account.user.added', subject: { accountUuid: uuid, userId }, before: null, after: await snapshotUser(trx, userId, status) });
      }
      if (storeAdded) {
        events.push({
          type: 'store.user.added',
          subject: { accountUuid: uuid, storeId: store.id, storeHash: store.hash, userId },
          before: null,
          after: email !== undefined ? memberSnapshot(userId, email, status, DEFAULT_STORE_PERMISSIONS) : await snapshotUser(trx, userId, status, DEFAULT_STORE_PERMISSIONS),
        });
      }
      // already a member of both: only the membership's row lock was taken
      if (!storeAdded && !accountAdded && !invited) declareNothingChanged(events);
      return { store, userId, invited, added: storeAdded };
    });
  } catch (error) {
    // the account membership vanished under us (cannot happen while it is locked; kept as a net)
    if (isForeignKeyViolation(error)) throw new AppError('USER_NOT_FOUND');
    throw error;
  }
}

/** §4.8, §10 #12, §11 #9, #14: returns the user as the removed membership described them. */
export async function removeUserFromStore(
  deps: MembershipDeps,
  uuid: string,
  storeRef: StoreRef,
  userId: number,
): Promise<{ store: Store; member: RemovedStoreMember }> {
  const now = deps.clock.now();
  const one = await removeFromStoreAtOnce(deps, uuid, storeRef, userId, now);
  if (one !== undefined) return one;
  return commit(deps, async (trx, events) => {
    const store = await findStore(trx, uuid, storeRef);
    if (!store) throw new AppError('STORE_NOT_FOUND');
    const member = await findStoreMember(trx, store.id, userId);
    if (!member) throw new AppError('USER_NOT_FOUND');
    if (store.ownerUserId === userId) throw new AppError('STORE_OWNER_NOT_REMOVABLE');
    const apps = (await listMembershipAppsBatch(trx, [{ storeId: store.id, userId }])).get(membershipKey(store.id, userId)) ?? [];
    const removed = await runCompiled(trx, 'membership-store-delete', [store.id, userId], () =>
      trx.deleteFrom('store_users').where('store_id', '=', store.id).where('user_id', '=', userId).returning(['user_id', transactionIdColumn(trx)]),
    );
    if (removed.length === 0) throw new AppError('USER_NOT_FOUND');
    await countStoreAndTouchUser(trx, store.id, -1, userId, now);
    events.push({
      type: 'store.user.removed',
      subject: { accountUuid: uuid, storeId: store.id, storeHash: store.hash, userId },
      before: { id: userId, email: member.email, status: member.status, permissions: member.permissions, apps: apps.map((a) => a.id) },
      after: null,
    });
    return { store, member: { ...member, apps } };
  });
}

/**
 * addUserToStore for a user who is a member of the account, as one statement (membership-statements.ts);
 * undefined, having written nothing, where that cannot run or when the user is not a member (named by
 * e-mail: unknown, to be invited, or to be added to the account first; by id: USER_NOT_FOUND, thrown).
 */
async function addMemberToStoreAtOnce(deps: MembershipDeps, uuid: string, storeRef: StoreRef, identity: UserIdentity, now: number): Promise<AddUserToStoreOutcome | undefined> {
  if (!canRunAsOneStatement(deps.database)) return undefined;
  // an e-mail names its user first (one indexed read): a user's writes run one after another (below)
  const userId = 'userId' in identity ? identity.userId : (await withoutEmail(deps.database, { emailKey: identity.email.key }))?.userIds?.[0];
  if (userId === undefined) return undefined; // unknown: invited by the transaction
  const statement = addMemberToStoreStatement(uuid, storeRef, userId, JSON.stringify(DEFAULT_STORE_PERMISSIONS), now);
  const done = await commitAsOneStatement<AddToStoreRow>(deps.database, deps.events, [{ type: 'store.user.added' }], accountMember(uuid, userId), statement, (row) => {
    const events: WorldEventInput[] = [];
    if (row?.store && row.user_id !== null && row.status !== null && row.added === 1 && row.email !== null) {
      events.push({
        type: 'store.user.added',
        subject: { accountUuid: uuid, storeId: row.store.id, storeHash: row.store.store_hash, userId: row.user_id },
        before: null,
        after: memberSnapshot(row.user_id, row.email, row.status, DEFAULT_STORE_PERMISSIONS),
      });
    } else if (row?.added !== 1) declareNothingChanged(events); // a lock at most
    return events;
  });
  if (done === undefined) return undefined;
  const { row } = done;
  if (!row?.store) throw new AppError('STORE_NOT_FOUND');
  if (row.user_id === null || row.status === null) {
    // same answer whether or not the user exists elsewhere (§10 #5)
    if ('userId' in identity) throw new AppError('USER_NOT_FOUND');
    return undefined;
  }
  if (row.added === 1 && row.email === null) throw new AppError('INTERNAL');
  return { store: toStore(row.store), userId: row.user_id, invited: false, added: row.added === 1 };
}

/** removeUserFromStore as one statement (membership-statements.ts); undefined, having run nothing, where it cannot run. */
async function removeFromStoreAtOnce(
  deps: MembershipDeps,
  uuid: string,
  storeRef: StoreRef,
  userId: number,
  now: number,
): Promise<{ store: Store; member: RemovedStoreMember } | undefined> {
  const statement = removeMemberFromStoreStatement(uuid, storeRef, userId, now);
  let member: StoreMember | undefined;
  const done = await commitAsOneStatement<RemoveFromStoreRow>(deps.database, deps.events, [{ type: 'store.user.removed' }], accountMember(uuid, userId), statement, (row) => {
    const events: WorldEventInput[] = [];
    if (row?.member) member = toStoreMember(row.member);
    if (row?.store && member && row.removed === 1) {
      events.push({
        type: 'store.user.removed',
        subject: { accountUuid: uuid, storeId: row.store.id, storeHash: row.store.store_hash, userId },
        before: { id: userId, email: member.email, status: member.status, permissions: member.permissions, apps: row.apps.map((a) => a.id) },
        after: null,
      });
    } else if (row?.removed !== 1) declareNothingChanged(events);
    return events;
  });
  if (done === undefined) return undefined;
  const { row } = done;
  if (!row?.store) throw new AppError('STORE_NOT_FOUND');
  if (!member) throw new AppError('USER_NOT_FOUND');
  if (row.store.owner_user_id === userId) throw new AppError('STORE_OWNER_NOT_REMOVABLE');
  // removed meanwhile by a concurrent request
  if (row.removed !== 1) throw new AppError('USER_NOT_FOUND');
  return { store: toStore(row.store), member: { ...member, apps: row.apps } };
}

/**
 * What one-statement membership writes run one after another on (domain-events.ts
 * commitAsOneStatement): a user's memberships in an account (a store can be named by hash or by id;
 * a user by e-mail is resolved to its id first).
 */
function accountMember(uuid: string, userId: number): string {
  return `account-member:${uuid}:${userId}`;
}
