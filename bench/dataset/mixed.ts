import type { Insertable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { emailKey } from '../../src/db/dialect.js';
import { allocateIds } from '../../src/db/id-counters.js';
import type { DB } from '../../src/db/tables.js';
import { hashPassword, hashToken } from '../../src/shared/secrets.js';
import { demoTarget } from './generate.js';

/**
 * The dataset of the `mixed-*` scenarios (bench/README.md "Mixed traffic"), written through the
 * storage layer into a database that already holds the demo fixture:
 *
 * - B2B store f0qyczpkb2: `companies` approved companies × `usersPerCompany` company users (each
 *   with its customer record). User 0 of each company is its Admin (role 0, the predefined Admin
 *   role: Roster's predefined roles are store-wide, `company_role_id` stays null) and has a password,
 *   so it can sign in through POST /api/io/auth/customers; one user in ten is a Senior Buyer, the
 *   rest Junior Buyers. `companies.user_count` is written with the rows.
 * - Account API: `accountUsers` users in the demo account, the first `storeMembers` of them also
 *   members of its store 1000001 (`accounts.user_count` and `stores.user_count` move with them).
 * - B2B Management API v3: `managementAccounts` store-level API accounts of f0qyczpkb2 (the
 *   integrations that call `/api/v3/io` with `X-Auth-Token` + `X-Store-Hash`), alternately with the
 *   `store_b2b_edition` (modify) and `store_b2b_edition_read_only` scope; tokens stored hashed, as
 *   the fixture loader stores them.
 *
 * One transaction; ids come from the id counters. The result describes every row the scenarios
 * need (ids, e-mails, roles, names), so no scenario has to read the database.
 */
export interface MixedShape {
  companies: number;
  usersPerCompany: number;
  accountUsers: number;
  storeMembers: number;
  managementAccounts: number;
}

export const mixedShape: MixedShape = { companies: 40, usersPerCompany: 250, accountUsers: 2000, storeMembers: 500, managementAccounts: 4 };

/** The password of every company Admin of the mixed dataset. */
export const MIXED_PASSWORD = 'Mixed-Passw0rd!';

export interface MixedCompanyUser {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  /** 0 Admin, 1 Senior Buyer, 2 Junior Buyer */
  role: number;
  /** the linked customer (the Management API's `customerId`, the storefront's `bcId`) */
  customerId: number;
}

export interface MixedCompany {
  id: number;
  name: string;
  /** users[0] is the Admin */
  users: MixedCompanyUser[];
}

export interface MixedAccountUser {
  id: number;
  email: string;
  isStoreMember: boolean;
}

/** A store-level API account of the B2B store (Management API v3 caller). */
export interface MixedManagementAccount {
  name: string;
  /** X-Auth-Token (sent with X-Store-Hash = the dataset's storeHash) */
  token: string;
  access: 'modify' | 'read';
}

export interface MixedDataset {
  shape: MixedShape;
  storeHash: string;
  channelId: number;
  password: string;
  companies: MixedCompany[];
  accountUuid: string;
  /** store id and hash of the account's store whose members the first `storeMembers` users are */
  storeId: number;
  accountStoreHash: string;
  accountUsers: MixedAccountUser[];
  /** store-level API accounts of `storeHash` for the Management API v3 */
  managementAccounts: MixedManagementAccount[];
  /** search texts (`q` / `search`) that match a few users of every company */
  searchTerms: string[];
  rowsWritten: number;
  ms: number;
  cpuMs: number;
}

// deterministic names: 40 first names × 25 last names, spread so that each last name holds ~10 users of a company
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Anita', 'Barbara', 'Boris', 'Carla', 'Chen', 'Dalia', 'Diego', 'Edith',
  'Emil', 'Fatima', 'Felix', 'Grace', 'Hugo', 'Ines', 'Ivan', 'Jana', 'Jonas', 'Kamala',
  'Karl', 'Lena', 'Luca', 'Maya', 'Milan', 'Nadia', 'Nils', 'Olga', 'Omar', 'Paula',
  'Pedro', 'Quinn', 'Rosa', 'Sami', 'Sofia', 'Tariq', 'Ulla', 'Vera', 'Walter', 'Yuki',
];
export const LAST_NAMES = [
  'Anders', 'Bauer', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hoffmann', 'Ivanova', 'Jensen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quintero', 'Rossi', 'Schmidt', 'Tanaka',
  'Urban', 'Varga', 'Weber', 'Xu', 'Yilmaz',
];

function phoneOf(company: number, user: number): string {
  return `555${String(company).padStart(3, '0')}${String(user).padStart(4, '0')}`;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const CHUNK = 500;

async function insertChunked<T extends keyof DB & string>(trx: Transaction<DB>, table: T, rows: Insertable<DB[T]>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's insert typing cannot follow a generic table name
    await trx.insertInto(table).values(rows.slice(i, i + CHUNK) as any).execute();
  }
}

export async function generateMixedDataset(database: Database, shape: MixedShape = mixedShape, now = Date.UTC(2026, 0, 1)): Promise<MixedDataset> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { storeHash, channelId, accountUuid } = demoTarget;
  const storeId = demoTarget.storeId;
  if (storeId === null) throw new Error('the demo target has no store');
  const userCount = shape.companies * shape.usersPerCompany;
  // Admins' password hashes first (scrypt on the thread pool), outside the transaction
  const hashes: string[] = [];
  for (let i = 0; i < shape.companies; i += 8) {
    hashes.push(...(await Promise.all(Array.from({ length: Math.min(8, shape.companies - i) }, () => hashPassword(MIXED_PASSWORD)))));
  }

  const companies: MixedCompany[] = [];
  const accountUsers: MixedAccountUser[] = [];
  const managementAccounts: MixedManagementAccount[] = [];
  let rowsWritten = 0;
  const accountStoreHash = await database.kysely.transaction().execute(async (trx) => {
    const store = await trx.selectFrom('stores').select(['store_hash', 'account_uuid']).where('id', '=', storeId).executeTakeFirstOrThrow();
    if (store.account_uuid !== accountUuid) throw new Error(`store ${storeId} is not in account ${accountUuid}`);
    const firstCompanyId = await allocateIds(trx, 'companies', shape.companies);
    // customers and company users share the b2b id space: customers first, then company users
    const firstB2bId = await allocateIds(trx, 'b2b', 2 * userCount);
    const firstCustomerId = firstB2bId;
    const firstCompanyUserId = firstB2bId + userCount;
    const firstUserId = await allocateIds(trx, 'users', shape.accountUsers);

    const companyRows: Insertable<DB['companies']>[] = [];
    const customerRows: Insertable<DB['customers']>[] = [];
    const companyUserRows: Insertable<DB['company_users']>[] = [];
    for (let c = 0; c < shape.companies; c++) {
      const id = firstCompanyId + c;
      const name = `Mixed Traders ${String(c + 1).padStart(2, '0')}`;
      companyRows.push({
        id,
        store_hash: storeHash,
        name,
        status: 1,
        parent_id: null,
        email: `office@mixed-${c + 1}.example`,
        phone: phoneOf(c, 0),
        address_line1: `${c + 1} Mixed Street`,
        address_line2: null,
        city: 'Springfield',
        state: 'IL',
        zip_code: '62701',
        country: 'US',
        user_count: shape.usersPerCompany,
        created_at: now,
        updated_at: now,
      });
      const users: MixedCompanyUser[] = [];
      for (let u = 0; u < shape.usersPerCompany; u++) {
        const k = c * shape.usersPerCompany + u;
        const firstName = FIRST_NAMES[(u + 7 * c) % FIRST_NAMES.length] as string;
        const lastName = LAST_NAMES[(u * 3 + c) % LAST_NAMES.length] as string;
        const role = u === 0 ? 0 : u % 10 === 1 ? 1 : 2;
        const email =
          u === 0 ? `admin@mixed-${c + 1}.example` : `${firstName.toLowerCase()}.${lastName.toLowerCase()}.${u}@mixed-${c + 1}.example`;
        const user: MixedCompanyUser = { id: firstCompanyUserId + k, email, firstName, lastName, phone: phoneOf(c, u), role, customerId: firstCustomerId + k };
        users.push(user);
        customerRows.push({
          id: firstCustomerId + k,
          store_hash: storeHash,
          email,
          email_key: emailKey(email),
          first_name: firstName,
          last_name: lastName,
          phone: user.phone,
          password_hash: u === 0 ? (hashes[c] as string) : null,
          force_password_reset: u === 0 ? 0 : 1,
          origin_channel_id: channelId,
          created_at: now,
          updated_at: now,
        });
        companyUserRows.push({
          id: user.id,
          store_hash: storeHash,
          company_id: id,
          customer_id: firstCustomerId + k,
          email,
          email_key: emailKey(email),
          first_name: firstName,
          last_name: lastName,
          phone: user.phone,
          role,
          company_role_id: null,
          uuid: null,
          channel_id: channelId,
          extra_fields: '[]',
          created_at: now,
          updated_at: now,
        });
      }
      companies.push({ id, name, users });
    }
    await insertChunked(trx, 'companies', companyRows);
    await insertChunked(trx, 'customers', customerRows);
    await insertChunked(trx, 'company_users', companyUserRows);

    const userRows: Insertable<DB['users']>[] = [];
    const memberRows: Insertable<DB['account_users']>[] = [];
    const storeRows: Insertable<DB['store_users']>[] = [];
    for (let k = 0; k < shape.accountUsers; k++) {
      const id = firstUserId + k;
      const firstName = FIRST_NAMES[k % FIRST_NAMES.length] as string;
      const lastName = LAST_NAMES[(k * 7) % LAST_NAMES.length] as string;
      const email = `${firstName.toLowerCase()}.${lastName.toLowerCase()}.${k}@mixed-account.example`;
      const isStoreMember = k < shape.storeMembers;
      accountUsers.push({ id, email, isStoreMember });
      userRows.push({ id, email, email_key: emailKey(email), first_name: firstName, last_name: lastName, locale: 'en-US', status: 'ACTIVE', last_login_at: null, created_at: now, updated_at: now });
      memberRows.push({ account_uuid: accountUuid, user_id: id, status: 'ACTIVE', created_at: now });
      if (isStoreMember) {
        storeRows.push({
          store_id: storeId,
          user_id: id,
          account_uuid: accountUuid,
          status: 'ACTIVE',
          permissions: JSON.stringify(['No_Permission_Required']),
          last_login_at: null,
          created_at: now,
          updated_at: now,
        });
      }
    }
    await insertChunked(trx, 'users', userRows);
    await insertChunked(trx, 'account_users', memberRows);
    await insertChunked(trx, 'store_users', storeRows);
    // the Management API's callers: store-level API accounts of the B2B store (ids from the api_accounts space, as the fixture loader)
    if (shape.managementAccounts > 0) {
      const firstAccountId = await allocateIds(trx, 'api_accounts', shape.managementAccounts);
      const accountRows: Insertable<DB['b2b_api_accounts']>[] = [];
      for (let i = 0; i < shape.managementAccounts; i++) {
        const access = i % 2 === 0 ? 'modify' : 'read';
        const account: MixedManagementAccount = { name: `bench-mgmt-${i + 1}-${access}`, token: `bench-mgmt-token-${i + 1}-${access}`, access };
        managementAccounts.push(account);
        accountRows.push({
          id: firstAccountId + i,
          store_hash: storeHash,
          name: account.name,
          token_hash: hashToken(account.token),
          client_id: `bench-mgmt-client-${i + 1}`,
          client_secret: `bench-mgmt-secret-${i + 1}`,
          scopes: JSON.stringify([access === 'modify' ? 'store_b2b_edition' : 'store_b2b_edition_read_only']),
          created_at: now,
        });
      }
      await insertChunked(trx, 'b2b_api_accounts', accountRows);
    }
    await trx.updateTable('accounts').set({ user_count: sql`user_count + ${shape.accountUsers}` }).where('uuid', '=', accountUuid).execute();
    await trx.updateTable('stores').set({ user_count: sql`user_count + ${shape.storeMembers}` }).where('id', '=', storeId).execute();
    rowsWritten = companyRows.length + customerRows.length + companyUserRows.length + userRows.length + memberRows.length + storeRows.length + managementAccounts.length;
    return store.store_hash;
  });
  // planner statistics, as a long-lived database would have them
  await sql`ANALYZE`.execute(database.kysely);
  return {
    shape,
    storeHash,
    channelId,
    password: MIXED_PASSWORD,
    companies,
    accountUuid,
    storeId,
    accountStoreHash,
    accountUsers,
    managementAccounts,
    // last names (10 users of each company), first names and fragments (a few to a few dozen users)
    searchTerms: ['garcia', 'Rossi', 'schmidt', 'Tanaka', 'weber', 'okafor', 'Sofia', 'mil', 'ara'],
    rowsWritten,
    ms: performance.now() - started,
    cpuMs: cpuMsSince(cpuStarted),
  };
}
