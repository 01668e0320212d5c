import type { Database } from '../../db/database.js';
import type { CompanyUserEvent, CompanyUserEventSink } from '../company-users/company-user-types.js';
import type { EventSink, WorldEventInput } from '../journal/events.js';

/**
 * Bridges the B2B company-user service's own events (store/company/user/*, reported after commit)
 * into the world's typed events, with the user as it is after the change and, when the emulator
 * saw the request coming, as it was before.
 */
type Row = Record<string, unknown>;

const before = new WeakMap<Database, Map<number, Row | null>>();

function present(row: Row | undefined | null): Record<string, unknown> | null {
  if (!row) return null;
  let extraFields: unknown = [];
  try {
    extraFields = JSON.parse(String(row.extra_fields ?? '[]'));
  } catch {
    extraFields = [];
  }
  return {
    id: row.id,
    bcId: row.customer_id,
    storeHash: row.store_hash,
    companyId: row.company_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    role: row.role,
    companyRoleId: row.company_role_id,
    uuid: row.uuid,
    channelId: row.channel_id,
    extraFields,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function readCompanyUser(database: Database, userId: number): Promise<Row | undefined> {
  return (await database.kysely.selectFrom('company_users').selectAll().where('id', '=', userId).executeTakeFirst()) as Row | undefined;
}

/** Called by the emulator before a request that may update or delete company user `userId` runs. */
export async function rememberCompanyUserBefore(database: Database, userId: number): Promise<void> {
  if (!Number.isSafeInteger(userId)) return;
  const row = await readCompanyUser(database, userId);
  let map = before.get(database);
  if (!map) {
    map = new Map();
    before.set(database, map);
  }
  map.set(userId, row ?? null);
}

export function forgetCompanyUserBefore(database: Database, userId: number): void {
  before.get(database)?.delete(userId);
}

function takeBefore(database: Database, userId: number): Row | null | undefined {
  const map = before.get(database);
  const row = map?.get(userId);
  map?.delete(userId);
  return row;
}

export function bridgeCompanyUserEvents(events: EventSink, database: Database, downstream: CompanyUserEventSink | undefined): CompanyUserEventSink {
  return (event: CompanyUserEvent) => {
    downstream?.(event);
    if (event.type === 'user.welcome') return;
    const subject = { storeHash: event.storeHash, companyId: event.companyId, userId: event.userId };
    const prior = takeBefore(database, event.userId);
    if (event.type === 'store/company/user/deleted') {
      events.emit({ type: 'company.user.deleted', subject, before: present(prior), after: null });
      return;
    }
    const type = event.type === 'store/company/user/created' ? 'company.user.created' : 'company.user.updated';
    const ready: Promise<WorldEventInput> = readCompanyUser(database, event.userId).then(
      (row) => ({ type, subject, before: type === 'company.user.created' ? null : present(prior), after: present(row) }),
      () => ({ type, subject, before: present(prior), after: null }),
    );
    if (events.emitWhenReady) events.emitWhenReady(ready);
    else void ready.then((e) => events.emit(e));
  };
}
