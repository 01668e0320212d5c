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
  let outcome: { result: T; events: WorldEventInput[]; slots: EventSlot[] };
  try {
    outcome = await runInTransaction(database, async (trx) => {
      const events: WorldEventInput[] = [];
      const result = await work(trx, events);
      if (events.length > 0) await sink?.persist?.(trx, events);
      const slots = events.map(place);
      attempts.push(slots);
      return { result, events, slots };
    });
  } catch (error) {
    for (const slots of attempts) for (const slot of slots) slot.cancel();
    throw error;
  }
  for (const slots of attempts) if (slots !== outcome.slots) for (const slot of slots) slot.cancel();
  for (const [i, slot] of outcome.slots.entries()) slot.emit(outcome.events[i] as WorldEventInput);
  return outcome.result;
}
