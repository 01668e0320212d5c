import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import type { EventSink, WorldEventInput } from './journal/events.js';

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
