import type { Kysely, Selectable } from 'kysely';
import { emailKey } from '../../db/dialect.js';
import type { CustomersTable, DB } from '../../db/tables.js';
import { isStorableId, isStorableStoreHash, isStorableText } from '../../db/lookup-guards.js';
import type { Customer } from './customer-types.js';
import { runCompiled, type WritePlan } from '../../db/shaped-query.js';

/** Storage of BigCommerce customer accounts. Rows never leave this file. */
function toCustomer(row: Selectable<CustomersTable>): Customer {
  return {
    id: Number(row.id),
    storeHash: row.store_hash,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    hasPassword: row.password_hash !== null,
    forcePasswordReset: Number(row.force_password_reset) === 1,
    originChannelId: row.origin_channel_id === null ? null : Number(row.origin_channel_id),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export async function findCustomerById(db: Kysely<DB>, storeHash: string, id: number): Promise<Customer | undefined> {
  if (!isStorableId(id) || !isStorableStoreHash(storeHash)) return undefined;
  const row = await db.selectFrom('customers').selectAll().where('id', '=', id).where('store_hash', '=', storeHash).executeTakeFirst();
  return row ? toCustomer(row) : undefined;
}

/** The customer row with this e-mail (trimmed, case-insensitive) in the store. */
async function customerRowByEmail(db: Kysely<DB>, storeHash: string, email: string) {
  if (!isStorableText(email) || !isStorableStoreHash(storeHash)) return undefined;
  return db.selectFrom('customers').selectAll().where('store_hash', '=', storeHash).where('email_key', '=', emailKey(email)).executeTakeFirst();
}

export async function findCustomerByEmail(db: Kysely<DB>, storeHash: string, email: string): Promise<Customer | undefined> {
  const row = await customerRowByEmail(db, storeHash, email);
  return row ? toCustomer(row) : undefined;
}

/** For sign-in only: the customer and its stored password hash (PHC string or null). */
export async function findCustomerCredentials(
  db: Kysely<DB>,
  storeHash: string,
  email: string,
): Promise<{ customer: Customer; passwordHash: string | null } | undefined> {
  const row = await customerRowByEmail(db, storeHash, email);
  return row ? { customer: toCustomer(row), passwordHash: row.password_hash } : undefined;
}

export interface NewCustomer {
  id: number;
  storeHash: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  originChannelId: number | null;
  now: number;
}

/** A customer created through a Company user: no password, must reset it (§13 #17). */
export async function insertCustomer(db: Kysely<DB>, input: NewCustomer): Promise<void> {
  await db
    .insertInto('customers')
    .values({
      id: input.id,
      store_hash: input.storeHash,
      email: input.email.trim(),
      email_key: emailKey(input.email),
      first_name: input.firstName,
      last_name: input.lastName,
      phone: input.phone,
      password_hash: null,
      force_password_reset: 1,
      origin_channel_id: input.originChannelId,
      created_at: input.now,
      updated_at: input.now,
    })
    .execute();
}

/** Copies the fields a Company user owns (name, e-mail, phone) to its customer account (§5). */
export async function updateCustomerProfile(
  db: Kysely<DB>,
  storeHash: string,
  id: number,
  fields: { email: string; firstName: string; lastName: string; phone: string },
  now: number,
  /** the e-mail the profile had: when it stays, the (indexed) e-mail columns are not written (see company-user-repository.ts updateUserWith) */
  previousEmail?: string,
): Promise<void> {
  const plan = customerProfileUpdate(storeHash, id, fields, now, previousEmail);
  await runCompiled(db, plan.key, plan.parameters, () => plan.build(db));
}

/** `updateCustomerProfile` as a plan, to run with another write (db/shaped-query.ts runCompiledTogether). */
export function customerProfileUpdate(
  storeHash: string,
  id: number,
  fields: { email: string; firstName: string; lastName: string; phone: string },
  now: number,
  previousEmail?: string,
): WritePlan<unknown> {
  const email = fields.email.trim();
  const emailChanged = email !== previousEmail;
  const values = {
    ...(emailChanged ? { email, email_key: emailKey(fields.email) } : {}),
    first_name: fields.firstName,
    last_name: fields.lastName,
    phone: fields.phone,
    updated_at: now,
  };
  return {
    key: emailChanged ? 'customer-profile-update:email' : 'customer-profile-update',
    parameters: [...Object.values(values), id, storeHash],
    build: (creator) => creator.updateTable('customers').set(values).where('id', '=', id).where('store_hash', '=', storeHash),
  };
}

export async function countCustomersByEmail(db: Kysely<DB>, storeHash: string, email: string): Promise<number> {
  const row = await db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('store_hash', '=', storeHash)
    .where('email_key', '=', emailKey(email))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
