import { type DocumentNode, type FieldNode, Kind, type SelectionSetNode, valueFromASTUntyped } from 'graphql';
import type { Database } from '../db/database.js';
import { emailKey } from '../db/dialect.js';
import type { WorldEventInput } from '../domain/journal/events.js';
import type { FullFacts } from './request-facts.js';

/**
 * Account API events derived from successful mutations, until the Account API's domain services
 * emit their own (services.events.emit). `before` is read just before the request runs, `after`
 * just after it answered, from the world's own database.
 */
type Obj = Record<string, unknown>;

export interface AccountMutation {
  path: 'account.addUserToAccount' | 'account.removeUserFromAccount' | 'user.addUserToStore' | 'user.removeUserFromStore';
  input: Obj;
  /** the response key (alias or name) of the root and child fields */
  rootKey: string;
  childKey: string;
}

const PATHS = new Set(['account.addUserToAccount', 'account.removeUserFromAccount', 'user.addUserToStore', 'user.removeUserFromStore']);

function fields(selectionSet: SelectionSetNode | undefined): FieldNode[] {
  return (selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

/** The Account API mutations of a request, with their inputs (variables applied). */
export function accountMutationsOf(facts: FullFacts): AccountMutation[] {
  const g = facts.graphql;
  if (!g || g.operationType !== 'mutation' || !g.document) return [];
  const document: DocumentNode = g.document;
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (g.operationName === undefined || d.name?.value === g.operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const out: AccountMutation[] = [];
  for (const root of fields(operation.selectionSet)) {
    for (const child of fields(root.selectionSet)) {
      const path = `${root.name.value}.${child.name.value}`;
      if (!PATHS.has(path)) continue;
      const arg = child.arguments?.find((a) => a.name.value === 'input');
      let input: Obj = {};
      try {
        const value = arg ? valueFromASTUntyped(arg.value, g.variables) : undefined;
        if (value !== null && typeof value === 'object') input = value as Obj;
      } catch {
        input = {};
      }
      out.push({ path: path as AccountMutation['path'], input, rootKey: root.alias?.value ?? root.name.value, childKey: child.alias?.value ?? child.name.value });
    }
  }
  return out;
}

const numericId = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value !== 'string') return undefined;
  const m = /(\d+)$/.exec(value);
  return m ? Number(m[1]) : undefined;
};
const storeKey = (value: unknown): string | undefined => (typeof value === 'string' ? value.split('/').pop() : typeof value === 'number' ? String(value) : undefined);

async function findUser(database: Database, ref: { id?: number | undefined; email?: string | undefined }): Promise<Obj | undefined> {
  let q = database.kysely.selectFrom('users').selectAll();
  if (ref.id !== undefined) q = q.where('id', '=', ref.id);
  else if (ref.email !== undefined) q = q.where('email_key', '=', emailKey(ref.email));
  else return undefined;
  return (await q.executeTakeFirst()) as Obj | undefined;
}

async function findStore(database: Database, key: string | undefined): Promise<Obj | undefined> {
  if (key === undefined) return undefined;
  const byHash = await database.kysely.selectFrom('stores').selectAll().where('store_hash', '=', key).executeTakeFirst();
  if (byHash) return byHash as Obj;
  if (!/^\d+$/.test(key)) return undefined;
  return (await database.kysely.selectFrom('stores').selectAll().where('id', '=', Number(key)).executeTakeFirst()) as Obj | undefined;
}

function presentUser(user: Obj | undefined): Obj | null {
  if (!user) return null;
  return { id: user.id, email: user.email, firstName: user.first_name, lastName: user.last_name, locale: user.locale, status: user.status };
}

/** The account membership or store membership a mutation is about, as it is now. */
export async function readSubject(database: Database, accountUuid: string | undefined, m: AccountMutation): Promise<{ subject: Obj; state: Obj | null }> {
  const userRef = (m.input.user ?? m.input) as Obj;
  const user = await findUser(database, { id: numericId(userRef.id ?? m.input.userId), email: typeof userRef.email === 'string' ? userRef.email : undefined });
  if (m.path.startsWith('account.')) {
    const subject: Obj = { accountUuid, userId: user?.id ?? null, email: user?.email ?? (typeof m.input.email === 'string' ? m.input.email : null) };
    if (!user || accountUuid === undefined) return { subject, state: null };
    const member = await database.kysely
      .selectFrom('account_users')
      .selectAll()
      .where('account_uuid', '=', accountUuid)
      .where('user_id', '=', user.id as number)
      .executeTakeFirst();
    return { subject, state: member ? { ...presentUser(user), accountStatus: member.status } : null };
  }
  const store = await findStore(database, storeKey(m.input.storeId));
  const subject: Obj = { accountUuid, storeId: store?.id ?? null, storeHash: store?.store_hash ?? null, userId: user?.id ?? null };
  if (!user || !store) return { subject, state: null };
  const member = await database.kysely
    .selectFrom('store_users')
    .selectAll()
    .where('store_id', '=', store.id as number)
    .where('user_id', '=', user.id as number)
    .executeTakeFirst();
  if (!member) return { subject, state: null };
  let permissions: unknown = [];
  try {
    permissions = JSON.parse(member.permissions);
  } catch {
    permissions = [];
  }
  return { subject, state: { ...presentUser(user), storeStatus: member.status, permissions } };
}

/** Did this mutation succeed in the response (its payload is not null)? */
export function succeeded(responseBody: unknown, m: AccountMutation): boolean {
  let parsed: unknown = responseBody;
  if (typeof responseBody === 'string') {
    try {
      parsed = JSON.parse(responseBody);
    } catch {
      return false;
    }
  }
  const data = (parsed as Obj | null)?.data as Obj | null | undefined;
  const root = data?.[m.rootKey] as Obj | null | undefined;
  const payload = root?.[m.childKey];
  return payload !== null && payload !== undefined;
}

export function eventTypeOf(m: AccountMutation): WorldEventInput['type'] {
  switch (m.path) {
    case 'account.addUserToAccount':
      return 'account.user.added';
    case 'account.removeUserFromAccount':
      return 'account.user.removed';
    case 'user.addUserToStore':
      return 'store.user.added';
    default:
      return 'store.user.removed';
  }
}
