import type { Transaction } from 'kysely';
import { allocateIds } from '../../db/id-counters.js';
import type { DB } from '../../db/tables.js';
import type { Clock } from '../../shared/clock.js';
import type { IdGenerator } from '../../shared/ids.js';
import { currentRequestId } from '../../shared/request-scope.js';
import { type WorldEventInput, webhooksTenant } from '../domain-events.js';
import { deliveryUuid, payloadBody } from './webhook-payload.js';
import { registrationsFor } from './webhook-scopes.js';
import { listActiveWebhooksFor, listActiveWebhooksOfStore, type Webhook } from './webhook-repository.js';
import type { Database } from '../../db/database.js';
import { type LedgerMark, markAsSeen, validAsSeen } from '../../db/tenant-ledger.js';

/**
 * The transactional outbox of webhooks (webhooks.md §2, §10 #1): the domain's events of a write are
 * turned, inside its transaction, into one delivery row per (event, matching active hook), so a
 * delivery exists exactly when the change committed. The dispatcher sends them.
 */
const NOTICES: Record<string, { scope: string; user: boolean }> = {
  'company.user.created': { scope: 'store/company/user/created', user: true },
  'company.user.updated': { scope: 'store/company/user/updated', user: true },
  'company.user.deleted': { scope: 'store/company/user/deleted', user: true },
  'company.created': { scope: 'store/company/created', user: false },
  'company.updated': { scope: 'store/company/updated', user: false },
  'company.deleted': { scope: 'store/company/deleted', user: false },
  'company.status.updated': { scope: 'store/company/statusUpdated', user: false },
};

export interface WebhookOutbox {
  persist(trx: Transaction<DB>, events: readonly WorldEventInput[]): Promise<void>;
  /**
   * whether `persist` may write a delivery for an event of this type (of this store) now: false when
   * deliveries are off, the type notifies nobody, or the store's hooks as this request saw them
   * (kept by the ledger, as `persist` reads them) have none for it
   */
  persistsFor(type: string, storeHash?: string): boolean;
  /** true once a delivery was written since the last call (the dispatcher's cue to look) */
  takeEnqueued(): boolean;
}

export function createWebhookOutbox(deps: { clock: Clock; ids: IdGenerator; enabled: () => boolean; database?: Database }): WebhookOutbox {
  let enqueued = false;
  /**
   * Each store's active hooks, kept per the ledger's webhooks tenant of the store (registrations,
   * changes, deletions and deactivations declare it; anything unexplained moves it): a write that
   * notifies nobody costs no statement (on PostgreSQL a round trip of the ten a user update took).
   */
  const hooksByStore = new Map<string, { hooks: readonly Webhook[]; since: LedgerMark }>();
  /** the store's active hooks as kept, while the ledger says they still are (undefined: read them) */
  const keptHooks = (database: Database, storeHash: string): readonly Webhook[] | undefined => {
    const entry = hooksByStore.get(storeHash);
    return entry && validAsSeen(database, webhooksTenant(storeHash), entry.since) ? entry.hooks : undefined;
  };
  async function activeHooks(trx: Transaction<DB>, storeHash: string, scopes: readonly string[]): Promise<readonly Webhook[]> {
    const database = deps.database;
    if (database === undefined) return listActiveWebhooksFor(trx, storeHash, scopes);
    let hooks = keptHooks(database, storeHash);
    if (hooks === undefined) {
      const since = markAsSeen(database);
      if (since === undefined) return listActiveWebhooksFor(trx, storeHash, scopes);
      hooks = await listActiveWebhooksOfStore(trx, storeHash);
      if (hooksByStore.size >= 1_000) hooksByStore.clear();
      hooksByStore.set(storeHash, { hooks, since });
    }
    return hooks.filter((hook) => scopes.includes(hook.scope));
  }
  return {
    takeEnqueued() {
      const was = enqueued;
      enqueued = false;
      return was;
    },
    persistsFor(type, storeHash) {
      const notice = NOTICES[type];
      if (!deps.enabled() || notice === undefined) return false;
      const hooks = deps.database === undefined || storeHash === undefined ? undefined : keptHooks(deps.database, storeHash);
      if (hooks === undefined) return true;
      const scopes = registrationsFor(notice.scope);
      return hooks.some((hook) => scopes.includes(hook.scope));
    },
    async persist(trx, events) {
      // mode `off` (webhooks.md §7.5): no deliveries at all
      if (!deps.enabled()) return;
      const now = deps.clock.now();
      const requestId = currentRequestId() ?? null;
      const createdAt = Math.floor(now / 1000);
      const storeIds = new Map<string, string>();
      for (const event of events) {
        const notice = NOTICES[event.type];
        if (!notice || event.silent) continue;
        const subject = event.subject ?? {};
        const storeHash = subject.storeHash;
        const companyId = subject.companyId;
        if (typeof storeHash !== 'string' || typeof companyId !== 'number') continue;
        const hooks = await activeHooks(trx, storeHash, registrationsFor(notice.scope));
        if (hooks.length === 0) continue;
        let storeId = storeIds.get(storeHash);
        if (storeId === undefined) {
          storeId = await storeIdOf(trx, storeHash);
          storeIds.set(storeHash, storeId);
        }
        const data: Record<string, number> = notice.user && typeof subject.userId === 'number' ? { company_id: companyId, user_id: subject.userId } : { company_id: companyId };
        const body = payloadBody({ scope: notice.scope, storeId, storeHash, data, createdAt });
        const seq = await allocateIds(trx, 'webhook_events');
        for (const hook of hooks) {
          await trx
            .insertInto('webhook_deliveries')
            .values({
              id: deliveryUuid(deps.ids.next()),
              webhook_id: hook.id,
              store_hash: storeHash,
              client_id: hook.clientId,
              scope: notice.scope,
              destination: hook.destination,
              body,
              event_seq: seq,
              request_id: requestId,
              state: 'pending',
              attempt_count: 0,
              first_due_at: now,
              next_due_at: now,
              lease_until: null,
              attempts: '[]',
              created_at: now,
              updated_at: now,
            })
            .execute();
          enqueued = true;
        }
      }
    },
  };
}

/** The store's numeric id (`store_id`): the stored one, else one from the stores counter, kept. */
async function storeIdOf(trx: Transaction<DB>, storeHash: string): Promise<string> {
  const row = await trx.selectFrom('b2b_stores').select('store_id').where('store_hash', '=', storeHash).executeTakeFirst();
  if (row?.store_id !== null && row?.store_id !== undefined) return String(row.store_id);
  const account = await trx.selectFrom('stores').select('id').where('store_hash', '=', storeHash).executeTakeFirst();
  const id = account ? Number(account.id) : await allocateIds(trx, 'stores');
  await trx.updateTable('b2b_stores').set({ store_id: id }).where('store_hash', '=', storeHash).execute();
  return String(id);
}
