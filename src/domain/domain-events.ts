import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/tables.js';
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
}

export interface EventSink {
  emit(event: WorldEventInput): void;
  /** for an event whose before/after still has to be read: recorded once it resolves, and GET /_roster/events waits for it */
  emitWhenReady?(event: Promise<WorldEventInput>): void;
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
  const { result, events } = await runInTransaction(database, async (trx) => {
    const collected: WorldEventInput[] = [];
    return { result: await work(trx, collected), events: collected };
  });
  if (sink) for (const event of events) sink.emit(event);
  return result;
}
