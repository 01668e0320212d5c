import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/tables.js';
import { beginLedgerWrite, canRunAsOneStatement, type LedgerWrite, type OneStatementWrite, runAsOneStatement } from '../db/tenant-ledger.js';
import { runInTransaction } from '../db/transaction.js';

/**
 * The state-change events domain services report (`{ type, subject, before, after }`), after their
 * transaction commits. Whoever composes the services decides where they go (the emulator keeps
 * them per world and shows them at GET /_roster/events; webhooks will deliver them).
 */
export const worldEventTypes = [
  'account.user.added',
  'account.user.removed',
  'account.user.updated',
  'store.user.added',
  'store.user.removed',
  'store.user.updated',
  'company.user.created',
  'company.user.updated',
  'company.user.deleted',
  'company.created',
  'company.updated',
  'company.deleted',
  'company.status.updated',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.delivery.succeeded',
  'webhook.delivery.failed',
  'webhook.deactivated',
  'webhook.domain.blocklisted',
  'customer.created',
  'world.reset',
  'world.snapshot.restored',
  'world.fixture.loaded',
] as const;

export type WorldEventType = (typeof worldEventTypes)[number];

export interface WorldEventInput {
  type: WorldEventType;
  /** what the event is about, in wire-neutral ids: { accountUuid, userId, storeId, storeHash, companyId, ... } */
  subject?: Record<string, unknown>;
  /** the entity before the change (null: it did not exist) */
  before?: unknown;
  /** the entity after the change (null: it no longer exists) */
  after?: unknown;
  /**
   * true: recorded in the world's journal only, never a webhook (the documented exceptions:
   * Companies made by a bulk create and their admins, users removed with their Company; webhooks.md §2)
   */
  silent?: boolean;
}

export interface EventSink {
  emit(event: WorldEventInput): void;
  /**
   * A place in the event order, taken while the write still holds its locks (so two writes of one
   * entity take their places in the order they commit), filled once it has committed, or given up
   * when it rolled back. A sink without it orders events as they are emitted.
   */
  reserve?(): EventSlot;
  /**
   * Called inside the write's transaction, after `work` pushed its events and before the commit:
   * what must be written with the change itself (the webhook outbox, webhooks.md §2).
   */
  persist?(trx: Transaction<DB>, events: readonly WorldEventInput[]): Promise<void>;
  /** whether `persist` may write anything for an event of this type (of this store) now (absent: it may, for any) */
  persistsFor?(type: WorldEventType, storeHash?: string): boolean;
}

export interface EventSlot {
  emit(event: WorldEventInput): void;
  cancel(): void;
}

/**
 * How a domain service writes and reports it: `work` runs in one transaction (retried on conflicts)
 * and pushes the events of what it changed, with `before` and `after` read inside that transaction
 * (under the rows' locks, so two writes of one entity report one unbroken chain); the events are
 * emitted once the transaction has committed, in the order they were pushed, and never for a write
 * that rolled back.
 */
export async function commitWithEvents<T>(
  database: Database,
  sink: EventSink | undefined,
  work: (trx: Transaction<DB>, events: WorldEventInput[]) => Promise<T>,
): Promise<T> {
  // places in the event order are taken inside the transaction (an attempt that is retried or
  // rolls back gives its places up), filled after the commit; a sink without places emits on filling
  const place = (): EventSlot => sink?.reserve?.() ?? { emit: (event) => sink?.emit(event), cancel: () => undefined };
  const attempts: EventSlot[][] = [];
  let outcome: { result: T; events: WorldEventInput[]; slots: EventSlot[]; write: LedgerWrite | undefined };
  try {
    outcome = await runInTransaction(database, async (trx) => {
      // first and last inside the transaction: what the ledger may explain (db/tenant-ledger.ts)
      const write = beginLedgerWrite(database);
      const events: WorldEventInput[] = [];
      const result = await work(trx, events);
      if (events.length > 0) await sink?.persist?.(trx, events);
      const slots = events.map(place);
      attempts.push(slots);
      await write?.close(trx, tenantsOf(events));
      return { result, events, slots, write };
    });
  } catch (error) {
    for (const slots of attempts) for (const slot of slots) slot.cancel();
    throw error;
  }
  outcome.write?.settle();
  for (const slots of attempts) if (slots !== outcome.slots) for (const slot of slots) slot.cancel();
  for (const [i, slot] of outcome.slots.entries()) slot.emit(outcome.events[i] as WorldEventInput);
  return outcome.result;
}

/**
 * commitWithEvents for a write the database may run as one statement of its own (db/tenant-ledger.ts
 * runAsOneStatement: on PostgreSQL one round trip instead of a transaction's six to eight).
 * `eventsOf` gives, from the statement's row, the events of what it changed (none, with
 * declareNothingChanged, when it wrote nothing); they are emitted after it. Undefined, having run
 * nothing, where the statement cannot run (SQLite, inside a transaction) or when the sink may
 * write something with one of the events it `reports` (the webhook outbox): the caller runs its
 * transaction then.
 * `entity` names what the write changes (a user, an account's memberships): such writes of one
 * entity run one after another in this process, each emitting its events before the next is sent,
 * so that their events keep the order they committed in (PostgreSQL may run two statements sent
 * together in either order, and their answers may arrive in either; commitWithEvents orders events
 * under the rows' locks instead). A transaction of the same entity that locks after such a write
 * commits needs a round trip more before it takes its place, by which time the write's answer is in.
 */
export async function commitAsOneStatement<R>(
  database: Database,
  sink: EventSink | undefined,
  reports: readonly { type: WorldEventType; storeHash?: string }[],
  entity: string,
  write: OneStatementWrite,
  eventsOf: (row: R | undefined) => WorldEventInput[],
): Promise<{ row: R | undefined } | undefined> {
  if (!canRunAsOneStatement(database)) return undefined;
  if (sink?.persist && (sink.persistsFor === undefined || reports.some((event) => sink.persistsFor?.(event.type, event.storeHash)))) return undefined;
  let running = oneStatementWrites.get(database);
  if (!running) {
    running = new Map();
    oneStatementWrites.set(database, running);
  }
  const before = running.get(entity);
  let done: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => {
    done = resolve;
  });
  const turn = before ? before.then(() => mine) : mine;
  running.set(entity, turn);
  try {
    if (before) await before;
    let events: WorldEventInput[] = [];
    const result = await runAsOneStatement<R>(database, write, (row) => {
      events = eventsOf(row);
      return tenantsOf(events);
    });
    if (result === undefined) return undefined;
    for (const event of events) {
      if (sink?.reserve) sink.reserve().emit(event);
      else sink?.emit(event);
    }
    return result;
  } finally {
    done();
    if (running.get(entity) === turn) running.delete(entity);
  }
}

/** per database, the one-statement writes of each entity on their way (commitAsOneStatement) */
const oneStatementWrites = new WeakMap<Database, Map<string, Promise<void>>>();

const changedNothing = new WeakSet<readonly WorldEventInput[]>();

/**
 * Said by a write that pushed no event because it changed nothing anyone reads (an idempotent add
 * of a member that was there: only a row lock taken by a no-op UPDATE): the ledger then moves no
 * tenant, where a write without events otherwise moves them all.
 */
export function declareNothingChanged(events: WorldEventInput[]): void {
  changedNothing.add(events);
}

/**
 * The item a write names in its Company's tenant when it changed who is in the Company (a user
 * created, deleted or moved) or the Company's own row (a role change moves its user-list stamp):
 * answers that depend on the Company's membership (pages, totals) and the Company itself depend on it.
 */
export const MEMBERSHIP_CHANGED = -1;

/** The tenant of a B2B Company's users in the ledger (db/tenant-ledger.ts); its items are user ids (and MEMBERSHIP_CHANGED). */
export function companyUsersTenant(companyId: number): string {
  return `company:${companyId}`;
}

/**
 * Writes that change nothing a tenant's reads show: a new BigCommerce customer (customers are
 * store-wide; no ledger-checked read shows them). They move no tenant.
 */
const OUTSIDE_EVERY_TENANT = new Set<WorldEventType>(['customer.created']);

/** A store's webhook registrations (what the outbox notifies, webhook-outbox.ts); its one item is MEMBERSHIP_CHANGED. */
export function webhooksTenant(storeHash: string): string {
  return `webhooks:${storeHash}`;
}

/**
 * The Account API's user rows (shared by every account a user belongs to) as the API shows them but
 * for `updatedAt`; items: user ids. No declared write changes them today (the API never edits a
 * user's names, locale or status): only writes the ledger cannot explain do, which move everything.
 */
export const ACCOUNT_USER_ROWS_TENANT = 'account-users';

/**
 * The users' `updatedAt`, which every membership write bumps (§10 #28); items: user ids. Apart from
 * ACCOUNT_USER_ROWS_TENANT so that an answer that does not show `updatedAt` is kept through the
 * membership writes of its users (a user created by an invite is named by the membership it got).
 */
export const ACCOUNT_USER_TOUCHES_TENANT = 'account-user-touches';

/** Who is in an account, and each member's status there; items: user ids and MEMBERSHIP_CHANGED. */
export function accountMembersTenant(accountUuid: string): string {
  return `account:${accountUuid}`;
}

/** Who is in a store, with their permissions; items: user ids and MEMBERSHIP_CHANGED. */
export function storeMembersTenant(storeId: number): string {
  return `store:${storeId}`;
}

const companyOf = (value: unknown): number | undefined => {
  const id = (value as { companyId?: unknown } | null | undefined)?.companyId;
  return typeof id === 'number' ? id : undefined;
};

/**
 * What a committed write touched, by tenant, when its events say it exactly: Company users created,
 * updated or deleted (each names its Company and user; an update that moved a user names both
 * Companies), Account API members added or removed (the user's row, the account or store), and
 * writes outside every tenant. Any other event (a Company, a role...), or none, says nothing: null,
 * and every tenant moves.
 */
function tenantsOf(events: readonly WorldEventInput[]): Map<string, number[]> | null {
  if (events.length === 0) return changedNothing.has(events) ? new Map() : null;
  const tenants = new Map<string, number[]>();
  const add = (tenant: string, ...items: number[]) => {
    const list = tenants.get(tenant) ?? [];
    list.push(...items);
    tenants.set(tenant, list);
  };
  for (const event of events) {
    if (OUTSIDE_EVERY_TENANT.has(event.type)) continue;
    if (event.type === 'webhook.created' || event.type === 'webhook.updated' || event.type === 'webhook.deleted') {
      const storeHash = event.subject?.storeHash;
      if (typeof storeHash !== 'string') return null;
      add(webhooksTenant(storeHash), MEMBERSHIP_CHANGED);
      continue;
    }
    if (event.type.startsWith('account.user.') || event.type.startsWith('store.user.')) {
      // the Account API (domain/users/membership-service.ts): the user's row is touched (updatedAt)
      // in every case, nothing else of it; a member added or removed changes who is in the account or store
      const { accountUuid, storeId, userId } = event.subject ?? {};
      if (typeof userId !== 'number' || typeof accountUuid !== 'string') return null;
      const membership = event.type.endsWith('.added') || event.type.endsWith('.removed');
      add(ACCOUNT_USER_TOUCHES_TENANT, userId);
      if (event.type.startsWith('account.user.')) add(accountMembersTenant(accountUuid), userId, ...(membership ? [MEMBERSHIP_CHANGED] : []));
      else if (typeof storeId === 'number') add(storeMembersTenant(storeId), userId, ...(membership ? [MEMBERSHIP_CHANGED] : []));
      else return null;
      continue;
    }
    if (event.type !== 'company.user.created' && event.type !== 'company.user.updated' && event.type !== 'company.user.deleted') return null;
    const userId = event.subject?.userId;
    const companies = new Set([companyOf(event.subject), companyOf(event.before), companyOf(event.after)]);
    companies.delete(undefined);
    if (typeof userId !== 'number' || companies.size === 0) return null;
    // a user created, deleted or moved changes who is in the Company (pages, totals), and so does a
    // role change for the Company's row (its user-list stamp, company-repository.ts adjustUserCount)
    const roleOf = (value: unknown) => (value as { role?: unknown } | null | undefined)?.role;
    const membership = event.type !== 'company.user.updated' || companies.size > 1 || roleOf(event.before) !== roleOf(event.after);
    for (const companyId of companies) add(companyUsersTenant(companyId as number), userId, ...(membership ? [MEMBERSHIP_CHANGED] : []));
  }
  return tenants;
}
