import { tokenFor } from '../b2b-rest-helpers.js';
import { cloneDemo, type TestApp } from './test-app.js';

/**
 * Shared by the B2B Management API v3 tests (test/management-*.test.ts): the acceptance fixture
 * (the demo world plus b2b-management-rest.md §12 keys, more Companies and users, and a second B2B
 * store for isolation), its tokens and ids, and request helpers for `/api/v3/io`.
 */

/** A fixed instant for createTestApp({ now }): 2026-01-15T12:00:00Z. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const NOW_S = NOW / 1000;

export const MGMT_BASE = '/api/v3/io';
export const STORE = 'f0qyczpkb2';
/** A second B2B store with its own token, Companies and users (never visible through STORE's tokens). */
export const OTHER_STORE = 'otherstore1';

export const TOKENS = {
  /** store_b2b_edition (every method) */
  modify: 'mgmt-token-modify',
  /** store_b2b_edition_read_only (GET/HEAD) */
  read: 'mgmt-token-read',
  /** no B2B scope (403 everywhere) */
  none: 'mgmt-token-none',
  /** legacy `authToken` of STORE (full access) */
  legacy: 'mgmt-legacy-token',
  /** store_b2b_edition of OTHER_STORE */
  other: 'mgmt-token-other',
  /** account-level API token of the demo (never opens this API) */
  account: 'demo-account-token-full',
  /** account-level read-only token of the demo */
  accountRead: 'demo-account-token-read',
} as const;

/** The store each store-level token belongs to (mgmt() sends it as X-Store-Hash unless told otherwise). */
export const STORE_OF_TOKEN: Record<string, string> = {
  [TOKENS.modify]: STORE,
  [TOKENS.read]: STORE,
  [TOKENS.none]: STORE,
  [TOKENS.other]: OTHER_STORE,
};

export const API_ACCOUNTS = {
  modify: { name: 'mgmt-modify', token: TOKENS.modify, clientId: 'mgmt-modify-client', clientSecret: 'mgmt-modify-secret', scopes: ['store_b2b_edition'] },
  read: { name: 'mgmt-read', token: TOKENS.read, clientId: 'mgmt-read-client', clientSecret: 'mgmt-read-secret', scopes: ['store_b2b_edition_read_only'] },
  none: { name: 'mgmt-none', token: TOKENS.none, clientId: 'mgmt-none-client', clientSecret: 'mgmt-none-secret', scopes: [] as string[] },
  other: { name: 'mgmt-other', token: TOKENS.other, clientId: 'mgmt-other-client', clientSecret: 'mgmt-other-secret', scopes: ['store_b2b_edition'] },
} as const;

export const CHANNEL_ICON = 'https://s3.amazonaws.com/bc-channel-platform/channel-icons/bigcommerce.svg';
export const DEFAULT_CHANNEL = 1;
export const WHOLESALE_CHANNEL = 1000234;
/** `channelList` items (§4.1) of the fixture's two channels of STORE. */
export const CHANNELS = {
  default: { channelId: DEFAULT_CHANNEL, channelName: 'Default Storefront', iconUrl: CHANNEL_ICON },
  wholesale: { channelId: WHOLESALE_CHANNEL, channelName: 'Wholesale', iconUrl: CHANNEL_ICON },
} as const;

/** Company ids of the fixture (STORE unless said otherwise) with their status. */
export const COMPANIES = {
  greatBuys: { id: 123456, name: 'Great Buys', status: 1 },
  greatBuysWest: { id: 123457, name: 'Great Buys West', status: 1 },
  rival: { id: 223344, name: 'Rival Supplies', status: 1 },
  pending: { id: 334455, name: 'Pending Traders', status: 0 },
  rejected: { id: 445566, name: 'Rejected Goods', status: 2 },
  inactive: { id: 556677, name: 'Inactive Imports', status: 3 },
  /** OTHER_STORE */
  other: { id: 778899, name: 'Other Store Co', status: 1 },
} as const;

export const CUSTOM_ROLES = {
  userManager: { id: 5, name: 'User Manager' },
  orderViewer: { id: 6, name: 'Order Viewer' },
} as const;

export interface FixtureUser {
  id: number;
  bcId: number;
  companyId: number;
  email: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  /** role as the Management API reports it (custom → 2) */
  role: number;
  companyRoleId: number;
  companyRoleName: string;
  uuid: string;
  channelIds: number[];
  extraFields: { fieldName: string; fieldValue: string }[];
  createdAt: string;
  updatedAt: string;
}

const u = (user: FixtureUser) => user;

/**
 * Every Company user of STORE in the fixture (no Super Admin: that one is `superAdmin` below), with the
 * values the Management API must report. Dates are distinct so strict date filters can be hand-computed.
 */
export const USERS = {
  admin: u({
    id: 123, bcId: 322, companyId: 123456, email: 'm.curie@greatbuys.com', firstName: 'Marie', lastName: 'Curie', phoneNumber: '8001234567',
    role: 0, companyRoleId: 0, companyRoleName: 'Admin', uuid: 'ext-123', channelIds: [1], extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-1' }],
    createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-06-01T00:00:00Z',
  }),
  senior: u({
    id: 124, bcId: 323, companyId: 123456, email: 'p.curie@greatbuys.com', firstName: 'Pierre', lastName: 'Curie', phoneNumber: '8001234568',
    role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-02-01T00:00:00Z', updatedAt: '2025-02-01T00:00:00Z',
  }),
  junior: u({
    id: 125, bcId: 324, companyId: 123456, email: 'i.joliot@greatbuys.com', firstName: 'Irene', lastName: 'Joliot', phoneNumber: '8001234569',
    role: 2, companyRoleId: 2, companyRoleName: 'Junior Buyer', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-03-01T00:00:00Z', updatedAt: '2025-07-01T00:00:00Z',
  }),
  userManager: u({
    id: 126, bcId: 325, companyId: 123456, email: 'e.curie@greatbuys.com', firstName: 'Eve', lastName: 'Curie', phoneNumber: '',
    role: 2, companyRoleId: 5, companyRoleName: 'User Manager', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-04-01T00:00:00Z', updatedAt: '2025-04-01T00:00:00Z',
  }),
  westAdmin: u({
    id: 127, bcId: 326, companyId: 123457, email: 'west.admin@greatbuys.com', firstName: 'Wes', lastName: 'Tern', phoneNumber: '8001234570',
    role: 0, companyRoleId: 0, companyRoleName: 'Admin', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-05-01T00:00:00Z', updatedAt: '2025-08-01T00:00:00Z',
  }),
  rivalAdmin: u({
    id: 200, bcId: 400, companyId: 223344, email: 'admin@rival.example', firstName: 'Rita', lastName: 'Val', phoneNumber: '8005550000',
    role: 0, companyRoleId: 0, companyRoleName: 'Admin', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-06-01T00:00:00Z', updatedAt: '2025-06-01T00:00:00Z',
  }),
  pendingAdmin: u({
    id: 300, bcId: 500, companyId: 334455, email: 'admin@pending.example', firstName: 'Pen', lastName: 'Ding', phoneNumber: '8005550001',
    role: 0, companyRoleId: 0, companyRoleName: 'Admin', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-07-01T00:00:00Z', updatedAt: '2025-09-01T00:00:00Z',
  }),
  rejectedSenior: u({
    id: 700, bcId: 800, companyId: 445566, email: 'sam.senior@rejected.example', firstName: 'Sam', lastName: 'Senior', phoneNumber: '8005550700',
    role: 1, companyRoleId: 1, companyRoleName: 'Senior Buyer', uuid: 'erp-700', channelIds: [1, 1000234], extraFields: [],
    createdAt: '2025-08-01T00:00:00Z', updatedAt: '2025-10-01T00:00:00Z',
  }),
  rejectedViewer: u({
    id: 701, bcId: 801, companyId: 445566, email: 'olga.viewer@rejected.example', firstName: 'Olga', lastName: 'Viewer', phoneNumber: '',
    role: 2, companyRoleId: 6, companyRoleName: 'Order Viewer', uuid: '', channelIds: [1], extraFields: [],
    createdAt: '2025-09-01T00:00:00Z', updatedAt: '2025-09-01T00:00:00Z',
  }),
  inactiveAdmin: u({
    id: 710, bcId: 810, companyId: 556677, email: 'ina.admin@inactive.example', firstName: 'Ina', lastName: 'Active', phoneNumber: '8005550710',
    role: 0, companyRoleId: 0, companyRoleName: 'Admin', uuid: '', channelIds: [1000234],
    extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-42' }, { fieldName: 'Desk', fieldValue: '7B' }],
    createdAt: '2025-10-01T00:00:00Z', updatedAt: '2025-12-01T00:00:00Z',
  }),
} as const satisfies Record<string, FixtureUser>;

/** A Super Admin (fixture role 3) in Great Buys: never returned by the Management API (§14 #32). */
export const SUPER_ADMIN = { id: 720, bcId: 820, companyId: 123456, email: 'super.admin@greatbuys.com' } as const;

/** The B2C customer of the demo (no Company user). */
export const WALK_IN = { bcId: 321, email: 'walk.in@example.com', firstName: 'Walk', lastName: 'In', password: 'Passw0rd!' } as const;

/** OTHER_STORE's users: one shares an e-mail with STORE's admin (stores never conflict, §14 #10). */
export const OTHER_USERS = {
  admin: { id: 900, bcId: 950, companyId: 778899, email: 'olive.admin@other.example', firstName: 'Olive', lastName: 'Admin', role: 0 },
  sameEmail: { id: 901, bcId: 951, companyId: 778899, email: 'm.curie@greatbuys.com', firstName: 'Marie', lastName: 'Elsewhere', role: 1 },
} as const;

export const PASSWORD = 'Passw0rd!';

/** Unix seconds of an ISO instant (fixture dates → API values). */
export function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** Every STORE user visible to the Management API, id descending (the default order, §4.2). */
export function visibleUsersDesc(): FixtureUser[] {
  return (Object.values(USERS) as FixtureUser[]).slice().sort((a, b) => b.id - a.id);
}

/** The §4.1 object of a fixture user, keys in the §14 #33 order; `extraFields` only when asked. */
export function expectedUser(user: FixtureUser, options: { extraFields?: boolean } = {}): Record<string, unknown> {
  const channels = [CHANNELS.default, CHANNELS.wholesale].filter((c) => user.channelIds.includes(c.channelId));
  return {
    id: user.id,
    companyId: user.companyId,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phoneNumber: user.phoneNumber,
    role: user.role,
    companyRoleId: user.companyRoleId,
    companyRoleName: user.companyRoleName,
    uuid: user.uuid,
    customerId: user.bcId,
    channelList: channels,
    ...(options.extraFields ? { extraFields: user.extraFields } : {}),
    createdAt: unix(user.createdAt),
    updatedAt: unix(user.updatedAt),
  };
}

/** The §4.1 key order. */
export const USER_KEYS = [
  'id', 'companyId', 'firstName', 'lastName', 'email', 'phoneNumber', 'role', 'companyRoleId', 'companyRoleName', 'uuid', 'customerId', 'channelList', 'createdAt', 'updatedAt',
] as const;
export const USER_KEYS_WITH_EXTRA = [...USER_KEYS.slice(0, 12), 'extraFields', 'createdAt', 'updatedAt'] as const;

type Json = Record<string, unknown>;

function fixtureUser(user: FixtureUser, extra: Json = {}): Json {
  return {
    id: user.id,
    bcId: user.bcId,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    phoneNumber: user.phoneNumber,
    ...(user.companyRoleId > 2 ? { role: 2, companyRoleId: user.companyRoleId } : { role: user.role }),
    ...(user.uuid !== '' ? { uuid: user.uuid } : {}),
    channelId: user.channelIds[0],
    channelIds: user.channelIds,
    ...(user.extraFields.length > 0 ? { extraFields: user.extraFields } : {}),
    password: PASSWORD,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    ...extra,
  };
}

function otherUser(user: (typeof OTHER_USERS)[keyof typeof OTHER_USERS]): Json {
  return { id: user.id, bcId: user.bcId, email: user.email, firstName: user.firstName, lastName: user.lastName, phoneNumber: '', role: user.role, password: PASSWORD };
}

/**
 * The acceptance fixture, a fresh object each call: the demo world plus, for STORE, three API accounts
 * (modify, read-only, no B2B scope), a legacy authToken, the Wholesale channel, custom role 6, Companies of
 * status 2 and 3, a Super Admin, dates, channel sets, uuids and extra fields on users (USERS); and
 * OTHER_STORE with its own API account, Company and users.
 */
export function managementFixture(): Json {
  const world = cloneDemo<{ b2b: { stores: Json[] } }>();
  const store = world.b2b.stores.find((s) => s.storeHash === STORE);
  if (!store) throw new Error('demo fixture has no B2B store f0qyczpkb2');
  store.channels = [DEFAULT_CHANNEL, { id: WHOLESALE_CHANNEL, name: 'Wholesale' }];
  store.apiAccounts = [API_ACCOUNTS.modify, API_ACCOUNTS.read, API_ACCOUNTS.none].map((a) => ({ ...a, scopes: [...a.scopes] }));
  store.legacyAuthTokens = [{ name: 'legacy', token: TOKENS.legacy, email: 'jane.doe@example.com' }];
  (store.roles as Json[]).push({ id: CUSTOM_ROLES.orderViewer.id, name: CUSTOM_ROLES.orderViewer.name, permissions: [{ code: 'get_orders', permissionLevel: 1 }] });
  const byCompany = (companyId: number) => (Object.values(USERS) as FixtureUser[]).filter((x) => x.companyId === companyId).map((x) => fixtureUser(x));
  const companies = store.companies as Json[];
  for (const company of companies) {
    company.users = byCompany(company.id as number);
    company.createdAt = '2024-12-01T00:00:00Z';
    company.updatedAt = '2024-12-01T00:00:00Z';
  }
  const greatBuys = companies.find((c) => c.id === COMPANIES.greatBuys.id);
  if (!greatBuys) throw new Error('demo fixture lacks Great Buys');
  (greatBuys.users as Json[]).push({
    id: SUPER_ADMIN.id, bcId: SUPER_ADMIN.bcId, email: SUPER_ADMIN.email, firstName: 'Sue', lastName: 'Perr', phoneNumber: '', role: 3, password: PASSWORD,
    createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z',
  });
  companies.push(
    {
      id: COMPANIES.rejected.id, name: COMPANIES.rejected.name, status: COMPANIES.rejected.status, parentId: null,
      createdAt: '2024-12-01T00:00:00Z', updatedAt: '2024-12-01T00:00:00Z', users: byCompany(COMPANIES.rejected.id),
    },
    {
      id: COMPANIES.inactive.id, name: COMPANIES.inactive.name, status: COMPANIES.inactive.status, parentId: null,
      createdAt: '2024-12-01T00:00:00Z', updatedAt: '2024-12-01T00:00:00Z', users: byCompany(COMPANIES.inactive.id),
    },
  );
  world.b2b.stores.push({
    storeHash: OTHER_STORE,
    channels: [1],
    apiAccounts: [{ ...API_ACCOUNTS.other, scopes: [...API_ACCOUNTS.other.scopes] }],
    customers: [{ id: 960, email: 'walk.in@example.com', firstName: 'Other', lastName: 'Walker', password: PASSWORD }],
    companies: [
      {
        id: COMPANIES.other.id, name: COMPANIES.other.name, status: 1, parentId: null,
        users: [
          {
            ...otherUser(OTHER_USERS.admin),
            extraFields: [{ fieldName: 'Region', fieldValue: 'North' }],
            createdAt: '2025-03-15T00:00:00Z',
            updatedAt: '2025-03-15T00:00:00Z',
          },
          { ...otherUser(OTHER_USERS.sameEmail), createdAt: '2025-03-16T00:00:00Z', updatedAt: '2025-03-16T00:00:00Z' },
        ],
      },
    ],
  });
  return world as Json;
}

// ------------------------------------------------------------------ requests

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'PATCH';
export type QueryValue = string | number | (string | number)[];

export interface MgmtOptions {
  /** X-Auth-Token; default TOKENS.modify (none when `legacy` is given); null = no header */
  token?: string | null;
  /** X-Store-Hash; default the token's store (STORE_OF_TOKEN, else STORE; none when `legacy` is given); null = no header */
  storeHash?: string | null;
  /** legacy `authToken` header */
  legacy?: string;
  /** JSON body (sent with Content-Type: application/json) */
  body?: unknown;
  /** a body sent as is (no Content-Type added unless in headers) */
  rawBody?: string;
  /** extra or overriding headers (lower-case names) */
  headers?: Record<string, string>;
  /** query parameters; arrays become repeated parameters */
  query?: Record<string, QueryValue>;
}

export interface MgmtResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** the body text as sent (compare with JSON.stringify for key order) */
  raw: string;
  /** the parsed JSON body, undefined when not JSON */
  // any: answers are asserted field by field in the tests
  body: any;
}

/** `?a=1&b=2&b=3` from a query object (values URI-encoded, keys as given). */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${key}=${encodeURIComponent(String(v))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The credential headers mgmt() would send for these options. */
export function mgmtHeaders(options: Pick<MgmtOptions, 'token' | 'storeHash' | 'legacy'> = {}): Record<string, string> {
  const token = options.token !== undefined ? options.token : options.legacy !== undefined ? null : TOKENS.modify;
  const storeHash =
    options.storeHash !== undefined ? options.storeHash : options.legacy !== undefined || token === null ? null : (STORE_OF_TOKEN[token] ?? STORE);
  return {
    accept: 'application/json',
    ...(token !== null ? { 'x-auth-token': token } : {}),
    ...(storeHash !== null ? { 'x-store-hash': storeHash } : {}),
    ...(options.legacy !== undefined ? { authtoken: options.legacy } : {}),
  };
}

/**
 * One Management API request through `t.app.inject`: `path` is under /api/v3/io unless it starts with
 * `/api/` (or `/_roster`); credentials default to the modify token of STORE.
 */
export async function mgmt(t: TestApp, method: Method, path: string, options: MgmtOptions = {}): Promise<MgmtResponse> {
  const url = `${path.startsWith('/api/') || path.startsWith('/_roster') ? path : `${MGMT_BASE}${path}`}${queryString(options.query)}`;
  const headers: Record<string, string> = {
    ...mgmtHeaders(options),
    ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(options.headers ?? {}),
  };
  const payload = options.rawBody !== undefined ? options.rawBody : options.body !== undefined ? JSON.stringify(options.body) : undefined;
  const res = await t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parseJson(res.body) };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ expected bodies (§2.3, §3.2)

/** `{"code":S,"meta":{"message":T},"data":{"errMsg":E}}`, the shared error envelope, keys in order. */
export function mgmtError(code: number, message: string, errMsg: unknown = message): Json {
  return { code, meta: { message }, data: { errMsg } };
}

export const NO_CREDENTIALS = mgmtError(401, 'Invalid token header. No credentials provided.');
export const INVALID_TOKEN = mgmtError(401, 'Invalid token.');
export const FORBIDDEN = mgmtError(403, 'You do not have permission to perform this action.');
export const USER_NOT_FOUND = mgmtError(404, 'Not Found Error', 'User matching query does not exist.');
export const METHOD_NOT_ALLOWED = mgmtError(405, 'Method not allowed');
export const BULK_TOO_LARGE = mgmtError(413, 'Request Entity Too Large', 'Add up to ten data at a time');
export const parameterError = (errMsg: unknown) => mgmtError(422, 'Parameter Error', errMsg);
export const logicalError = (errMsg: string) => mgmtError(422, 'Processing data contains logical errors', errMsg);
export const notImplemented = (method: string, path: string) => ({ code: 501, meta: { message: 'Not Implemented' }, data: { errMsg: `Roster does not implement ${method} ${path}.` } });

/** Success envelopes of the users family (`"Success"`, §3.1). */
export const usersOk = (data: unknown) => ({ code: 200, meta: { message: 'Success' }, data });
export const usersList = (data: unknown[], pagination: { totalCount: number; limit: number; offset: number }) => ({
  code: 200,
  meta: { message: 'Success', pagination },
  data,
});

// ------------------------------------------------------------------ the other APIs on the same data

/** A storefront (B2B REST v2 / GraphQL) token of a STORE user, issued directly (test/b2b-rest-helpers.ts tokenFor). */
export function storefrontToken(t: TestApp, user: { id: number | null; bcId: number; email: string }): string {
  return tokenFor(t, user);
}

/** A storefront request (`/api/v2/...`, `/api/io/...`) with `Authorization: Bearer <token>`. */
export async function storefront(t: TestApp, token: string | undefined, method: Method, url: string, body?: unknown): Promise<MgmtResponse> {
  const res = await t.app.inject({
    method,
    url,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parseJson(res.body) };
}

/** B2B GraphQL (`POST /graphql`) with a storefront token. */
export async function b2bGraphql(t: TestApp, token: string | undefined, query: string, variables?: Json): Promise<MgmtResponse> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parseJson(res.body) };
}

/** Storefront sign-in with e-mail and password (`POST /api/io/auth/customers`), STORE, channel 1. */
export async function signInStorefront(t: TestApp, email: string, password: string = PASSWORD): Promise<MgmtResponse> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/io/auth/customers',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ storeHash: STORE, email, password, channelId: 1, name: 'management-test' }),
  });
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parseJson(res.body) };
}

/** Emulator events (`GET /_roster/events?type=...`), oldest first. */
export async function worldEvents(t: TestApp, type?: string): Promise<{ type: string; subject: Json; before: unknown; after: unknown }[]> {
  const res = await t.app.inject({ method: 'GET', url: `/_roster/events${type !== undefined ? `?type=${encodeURIComponent(type)}` : ''}` });
  if (res.statusCode !== 200) throw new Error(`GET /_roster/events: ${res.statusCode} ${res.body}`);
  return (res.json() as { events: { type: string; subject: Json; before: unknown; after: unknown }[] }).events;
}

/** Empties the emulator's event list. */
export async function clearWorldEvents(t: TestApp): Promise<void> {
  const res = await t.app.inject({ method: 'DELETE', url: '/_roster/events' });
  if (res.statusCode !== 204) throw new Error(`DELETE /_roster/events: ${res.statusCode} ${res.body}`);
}

/** Every B2B row a Management write could touch, for "nothing changed" assertions. */
export async function stateDigest(t: TestApp): Promise<string> {
  const db = t.database.kysely;
  const users = await db.selectFrom('company_users').selectAll().orderBy('id').execute();
  const customers = await db.selectFrom('customers').selectAll().orderBy('id').execute();
  const companies = await db.selectFrom('companies').selectAll().orderBy('id').execute();
  const channels = await db.selectFrom('company_user_channels').selectAll().execute();
  const sortedChannels = channels.map((c) => JSON.stringify(c)).sort();
  return JSON.stringify({ users, customers, companies, channels: sortedChannels });
}
