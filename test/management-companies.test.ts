import { describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import {
  CHANNELS,
  clearWorldEvents,
  managementFixture,
  mgmt,
  NOW,
  NOW_S,
  OTHER_STORE,
  PASSWORD,
  type MgmtResponse,
  signInStorefront,
  STORE,
  storefront,
  storefrontToken,
  TOKENS,
  USERS,
  unix,
  usersList,
  usersOk,
  WALK_IN,
  worldEvents,
} from './helpers/management-support.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';

/**
 * Acceptance tests of the B2B Management API v3 Companies family (b2b-management-rest.md §5, §7, §8
 * Company side, §10.1, §11, §14): list filters and order, create / read / update / delete, status,
 * bulk create and update, extra fields, roles and permissions, store isolation, and the provisioning
 * flow through the storefront API. Bodies are compared as JSON text (key order, §14 #33 and §5.1), and
 * every write is read back afterwards. Hierarchy (§6) is in management-hierarchy.test.ts.
 */

type Json = Record<string, any>;

// ------------------------------------------------------------------ the Companies of the acceptance world

interface ExtraFieldValue {
  fieldName: string;
  fieldValue: string;
}

interface CompanySeed {
  id: number;
  name: string;
  status: number;
  parentId: number | null;
  email: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  state: string;
  zipCode: string;
  country: string;
  customerGroupId: number;
  uuid: string;
  extraFields: ExtraFieldValue[];
  createdAt: string;
  updatedAt: string;
}

const blank = { email: '', phone: '', addressLine1: '', addressLine2: '', city: '', state: '', zipCode: '', country: '', uuid: '' };

/** STORE's Companies: statuses 0-3, customer groups (declared 4 and 7, undeclared 9), extra fields, distinct times. */
const SEEDS = {
  greatBuys: {
    ...blank, id: 123456, name: 'Great Buys', status: 1, parentId: null, email: 'office@greatbuys.com', phone: '8001230000',
    addressLine1: '1 Market St', addressLine2: 'Suite 5', city: 'Springfield', state: 'IL', zipCode: '62701', country: 'US',
    customerGroupId: 4, uuid: 'erp-123456', extraFields: [{ fieldName: 'Tax Code', fieldValue: 'G' }, { fieldName: 'Region', fieldValue: 'North East' }],
    createdAt: '2025-01-10T00:00:00Z', updatedAt: '2025-11-01T00:00:00Z',
  },
  west: {
    ...blank, id: 123457, name: 'Great Buys West', status: 1, parentId: 123456, email: 'west@greatbuys.com', phone: '8001230001',
    addressLine1: '9 Ocean Ave', city: 'Los Angeles', state: 'CA', zipCode: '90001', country: 'United States',
    customerGroupId: 4, extraFields: [{ fieldName: 'Tax Code', fieldValue: 'GH' }, { fieldName: 'Region', fieldValue: 'north' }],
    createdAt: '2025-02-10T00:00:00Z', updatedAt: '2025-09-01T00:00:00Z',
  },
  rival: {
    ...blank, id: 223344, name: 'Rival Supplies', status: 1, parentId: null, email: 'hello@rival.example', phone: '8005550100',
    city: 'Lyon', country: 'France', customerGroupId: 7, uuid: 'erp-223344',
    extraFields: [{ fieldName: 'Tax Code', fieldValue: 'H' }, { fieldName: 'Region', fieldValue: 'South' }],
    createdAt: '2025-03-10T00:00:00Z', updatedAt: '2025-11-01T00:00:00Z',
  },
  pending: {
    ...blank, id: 334455, name: 'Pending Traders', status: 0, parentId: null, customerGroupId: 0,
    extraFields: [{ fieldName: 'Region', fieldValue: 'Zone:5' }],
    createdAt: '2025-04-10T00:00:00Z', updatedAt: '2025-04-10T00:00:00Z',
  },
  rejected: {
    ...blank, id: 445566, name: 'Rejected Goods', status: 2, parentId: null, email: 'no@rejected.example', phone: '1', country: 'DE',
    customerGroupId: 0, extraFields: [{ fieldName: 'Region', fieldValue: 'North' }],
    createdAt: '2025-05-10T00:00:00Z', updatedAt: '2025-10-01T00:00:00Z',
  },
  inactive: {
    ...blank, id: 556677, name: 'Inactive Imports', status: 3, parentId: null, customerGroupId: 9,
    extraFields: [{ fieldName: 'Tax Code', fieldValue: 'G' }],
    createdAt: '2025-06-10T00:00:00Z', updatedAt: '2025-06-10T00:00:00Z',
  },
  alpha: {
    ...blank, id: 600001, name: 'alpha Foods', status: 1, parentId: null, customerGroupId: 0, extraFields: [],
    createdAt: '2025-07-10T00:00:00Z', updatedAt: '2025-07-10T00:00:00Z',
  },
  greatBuysTwo: {
    ...blank, id: 600002, name: 'Great Buys', status: 2, parentId: null, customerGroupId: 7, extraFields: [],
    createdAt: '2025-08-10T00:00:00Z', updatedAt: '2025-08-10T00:00:00Z',
  },
} satisfies Record<string, CompanySeed>;

/** OTHER_STORE's Company (no declared configs there: its extra field is derived, §8). */
const OTHER_SEED: CompanySeed = {
  ...blank, id: 778899, name: 'Other Store Co', status: 1, parentId: null, customerGroupId: 0,
  extraFields: [{ fieldName: 'Region', fieldValue: 'Elsewhere' }],
  createdAt: '2025-03-01T00:00:00Z', updatedAt: '2025-03-01T00:00:00Z',
};

const ALL_SEEDS = [...Object.values(SEEDS), OTHER_SEED];
const seedOf = (id: number): CompanySeed => {
  const seed = ALL_SEEDS.find((c) => c.id === id);
  if (!seed) throw new Error(`no seed ${id}`);
  return seed;
};

const CUSTOMER_GROUPS = [
  { id: 4, name: 'Wholesale Tier' },
  { id: 7, name: 'Retail' },
];

/** Declared Company extra-field configurations of STORE (§8, §12), in config order. */
const COMPANY_EXTRA_FIELDS = [
  { fieldName: 'Tax Code', fieldType: 3, isRequired: false, isUnique: false, visibleToEnduser: true, listOfValue: ['G', 'H', 'GH'] },
  { fieldName: 'Region', fieldType: 0, isRequired: false, isUnique: false, visibleToEnduser: false, maximumLength: '20' },
];

/** Default order of GET /companies: updatedAt DESC, companyId DESC (§5.2, §14 #9). */
const DEFAULT_ORDER = [223344, 123456, 445566, 123457, 600002, 600001, 556677, 334455];

function seedToFixture(seed: CompanySeed): Json {
  const optional = (value: string) => (value === '' ? null : value);
  return {
    id: seed.id,
    name: seed.name,
    status: seed.status,
    parentId: seed.parentId,
    email: optional(seed.email),
    phone: optional(seed.phone),
    addressLine1: optional(seed.addressLine1),
    addressLine2: optional(seed.addressLine2),
    city: optional(seed.city),
    state: optional(seed.state),
    zipCode: optional(seed.zipCode),
    country: optional(seed.country),
    customerGroupId: seed.customerGroupId,
    ...(seed.uuid !== '' ? { uuid: seed.uuid } : {}),
    ...(seed.extraFields.length > 0 ? { extraFields: seed.extraFields } : {}),
    createdAt: seed.createdAt,
    updatedAt: seed.updatedAt,
  };
}

/**
 * managementFixture() with the Company keys of §12 on every Company of both stores, two more Companies
 * (a lower-case name and a duplicate name), STORE's customer groups and declared Company extra fields.
 */
function companiesFixture(change?: (stores: { main: Json; other: Json }) => void): Json {
  const world = managementFixture() as { b2b: { stores: Json[] } };
  const main = world.b2b.stores.find((s) => s.storeHash === STORE);
  const other = world.b2b.stores.find((s) => s.storeHash === OTHER_STORE);
  if (!main || !other) throw new Error('managementFixture lacks a store');
  main.customerGroups = CUSTOMER_GROUPS;
  main.companyExtraFields = COMPANY_EXTRA_FIELDS;
  const companies = main.companies as Json[];
  for (const seed of Object.values(SEEDS)) {
    const existing = companies.find((c) => c.id === seed.id);
    if (existing) Object.assign(existing, seedToFixture(seed));
    else companies.push({ ...seedToFixture(seed), users: [] });
  }
  const otherCompany = (other.companies as Json[]).find((c) => c.id === OTHER_SEED.id);
  if (!otherCompany) throw new Error('managementFixture lacks the other store Company');
  Object.assign(otherCompany, seedToFixture(OTHER_SEED));
  change?.({ main, other });
  return world as Json;
}

// ------------------------------------------------------------------ expected bodies

/** Extra-field items of a Company object (§5.1 `extraFields_RESPONSE`), in config order then by name (as §4.1). */
function companyExtraFieldsOut(values: ExtraFieldValue[], configs: { fieldName: string; fieldType: number; isRequired?: boolean }[] = COMPANY_EXTRA_FIELDS): Json[] {
  const position = (name: string) => {
    const i = configs.findIndex((c) => c.fieldName === name);
    return i === -1 ? configs.length : i;
  };
  return [...values]
    .sort((a, b) => position(a.fieldName) - position(b.fieldName) || a.fieldName.localeCompare(b.fieldName))
    .map((v) => {
      const config = configs.find((c) => c.fieldName === v.fieldName);
      const type = config?.fieldType ?? 0; // derived fields are optional text fields (§8)
      return { fieldName: v.fieldName, fieldValue: v.fieldValue, labelName: v.fieldName, isRequired: config?.isRequired ? '1' : '0', dataType: String(type), fieldType: type };
    });
}

/** The §5.1 Company object, keys in the §5.1 order; `detail` = GET /companies/{id} (bcGroupId string, extraFields always). */
function companyObject(seed: CompanySeed, options: { detail?: boolean; extraFields?: boolean; configs?: typeof COMPANY_EXTRA_FIELDS } = {}): Json {
  const parent = seed.parentId === null ? {} : { id: seed.parentId, name: seedOf(seed.parentId).name };
  return {
    companyId: seed.id,
    companyName: seed.name,
    companyEmail: seed.email,
    companyPhone: seed.phone,
    addressLine1: seed.addressLine1,
    addressLine2: seed.addressLine2,
    city: seed.city,
    state: seed.state,
    country: seed.country,
    zipCode: seed.zipCode,
    companyStatus: seed.status,
    bcGroupId: options.detail ? String(seed.customerGroupId) : seed.customerGroupId,
    bcGroupName: CUSTOMER_GROUPS.find((g) => g.id === seed.customerGroupId)?.name ?? '',
    catalogId: '',
    catalogName: '',
    priceListAssign: [],
    parentCompany: parent,
    uuid: seed.uuid,
    ...(options.detail || options.extraFields ? { extraFields: companyExtraFieldsOut(seed.extraFields, options.configs) } : {}),
    createdAt: String(unix(seed.createdAt)),
    updatedAt: String(unix(seed.updatedAt)),
  };
}

const SUCCESS = 'SUCCESS';
const companyOk = (data: unknown) => ({ code: 200, meta: { message: SUCCESS }, data });
const companyList = (data: unknown[], pagination: { totalCount: number; limit: number; offset: number }) => ({ code: 200, meta: { message: SUCCESS, pagination }, data });
/** Companies invalid data (§3.2): the sentence in meta.message, data {}. */
const companyInvalid = (message: string) => ({ code: 422, meta: { message }, data: {} });
const NOT_FOUND = { code: 404, meta: { message: 'This resource is not found.' }, data: {} };
const BULK_TOO_LARGE = { code: 413, meta: { message: 'Request Entity Too Large' }, data: {} };
const bulkInvalid = (errors: { id: string; _detail: string }[]) => ({ code: 422, meta: { message: 'Company was not valid.' }, data: { errors } });
const bulkConflict = (errors: { id: string; _detail: string }[]) => ({ code: 409, meta: { message: 'Company was in conflict with another company.' }, data: { errors } });
const storefrontForbidden = { code: 403, message: 'You do not have permission to perform this action.', data: { errMsg: 'You do not have permission to perform this action.' } };
const storefrontInvalidToken = { code: 401, message: 'Invalid token.', data: { errMsg: 'Invalid token.' } };

/** Status and exact body text (key order included), JSON content type. */
function expectBody(res: MgmtResponse, status: number, body: unknown): void {
  expect(res.status, res.raw).toBe(status);
  expect(res.raw).toBe(JSON.stringify(body));
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
}

/** A syntactically valid e-mail of exactly n characters (local part ≤ 64, labels ≤ 60). */
function emailOfLength(n: number): string {
  const local = 'a'.repeat(Math.min(64, n - 10));
  let body = n - local.length - 1 - '.com'.length;
  const labels: string[] = [];
  while (body > 0) {
    let len = Math.min(60, body);
    if (body - len === 1) len -= 1;
    labels.push('b'.repeat(len));
    body -= len;
    if (body > 0) body -= 1;
  }
  const email = `${local}@${labels.join('.')}.com`;
  if (email.length !== n) throw new Error(`emailOfLength(${n}) made ${email.length}`);
  return email;
}

/** A valid POST /companies body (§5.3 required fields only). */
function newCompany(n: number | string = 1): Json {
  return {
    companyName: `Curie Labs ${n}`,
    companyPhone: '555-0199',
    companyEmail: `info${n}@curielabs.example`,
    country: 'FR',
    adminFirstName: 'Ada',
    adminLastName: `Byron${n}`,
    adminEmail: `ada${n}@curielabs.example`,
  };
}

function without(body: Json, ...keys: string[]): Json {
  const copy = { ...body };
  for (const key of keys) delete copy[key];
  return copy;
}

/** The §7.3 permission table: id → [code, name, moduleName]. */
const PERMISSIONS: [number, string, string, string][] = [
  [1, 'get_addresses', 'Get addresses', 'address'],
  [2, 'get_address_detail', 'Get address detail', 'address'],
  [3, 'get_default_shipping', 'Get default shipping address', 'address'],
  [4, 'get_default_billing', 'Get default billing address', 'address'],
  [5, 'create_address', 'Create address', 'address'],
  [6, 'update_address', 'Update address', 'address'],
  [7, 'delete_address', 'Delete address', 'address'],
  [8, 'get_invoices', 'Get invoices', 'invoice'],
  [9, 'get_invoice_detail', 'Get invoice detail', 'invoice'],
  [10, 'export_invoices', 'Export invoices', 'invoice'],
  [11, 'get_invoice_pdf', 'Get invoice pdf', 'invoice'],
  [12, 'get_invoice_payments_history', 'Get invoice payments history', 'invoice'],
  [13, 'pay_invoice', 'Pay invoice', 'invoice'],
  [14, 'get_orders', 'Get orders', 'order'],
  [15, 'get_order_detail', 'Get order detail', 'order'],
  [16, 'get_quotes', 'Get quotes', 'quote'],
  [17, 'get_quote_detail', 'Get quote detail', 'quote'],
  [18, 'create_quote', 'Create quote', 'quote'],
  [19, 'update_quote_message', 'Update quote message', 'quote'],
  [20, 'checkout_with_quote', 'Checkout with quote', 'quote'],
  [21, 'get_quote_pdf', 'Get quote pdf', 'quote'],
  [22, 'get_shopping_lists', 'Get shopping lists', 'shopping_list'],
  [23, 'get_shopping_list_detail', 'Get shopping list detail', 'shopping_list'],
  [24, 'create_shopping_list', 'Create shopping list', 'shopping_list'],
  [25, 'deplicate_shopping_list', 'Deplicate shopping list', 'shopping_list'],
  [26, 'update_shopping_list', 'Update shopping list', 'shopping_list'],
  [27, 'submit_shopping_list_for_approval', 'Submit shopping list for approval', 'shopping_list'],
  [28, 'approve_draft_shopping_list', 'Approve draft shopping list', 'shopping_list'],
  [29, 'delete_shopping_list', 'Delete shopping list', 'shopping_list'],
  [30, 'create_shopping_list_item', 'Create shopping list item', 'shopping_list'],
  [31, 'update_shopping_list_item', 'Update shopping list item', 'shopping_list'],
  [32, 'delete_shopping_list_item', 'Delete shopping list item', 'shopping_list'],
  [33, 'get_users', 'Get users', 'user'],
  [34, 'get_user_detail', 'Get user detail', 'user'],
  [35, 'create_user', 'Create user', 'user'],
  [36, 'update_user', 'Update user', 'user'],
  [37, 'delete_user', 'Delete user', 'user'],
  [38, 'get_roles', 'Get roles', 'role'],
  [39, 'purchase_enable', 'Purchase Enable', 'checkout'],
  [40, 'get_company_subsidiaries', 'Get company subsidiaries', 'company'],
];
const permissionId = (code: string): number => {
  const row = PERMISSIONS.find((p) => p[1] === code);
  if (!row) throw new Error(`unknown permission ${code}`);
  return row[0];
};
const permissionItem = ([id, code, name, moduleName]: (typeof PERMISSIONS)[number]) => ({ id, name, description: name, code, isCustom: false, moduleName });

/** Levels each code allows (b2b-users-rest.md §7), to derive the Admin role of §7.2. */
const LEVEL_ONE_OR_THREE_ONLY = ['create_quote', 'submit_shopping_list_for_approval'];
const LEVEL_THREE_ONLY = ['get_company_subsidiaries'];
const S9 = [
  'get_shopping_lists', 'get_shopping_list_detail', 'create_shopping_list', 'deplicate_shopping_list', 'update_shopping_list', 'delete_shopping_list',
  'create_shopping_list_item', 'update_shopping_list_item', 'delete_shopping_list_item',
];

/** Role permissions as §7.2 lists them: `[{id, code, permissionLevel}]` ordered by permission id. */
function rolePermissions(levels: Record<string, number>): Json[] {
  return Object.entries(levels)
    .map(([code, permissionLevel]) => ({ id: permissionId(code), code, permissionLevel }))
    .sort((a, b) => a.id - b.id);
}

const ADMIN_LEVELS: Record<string, number> = Object.fromEntries(
  PERMISSIONS.filter(([, code]) => !LEVEL_THREE_ONLY.includes(code)).map(([, code]) => [code, LEVEL_ONE_OR_THREE_ONLY.includes(code) ? 1 : 2]),
);
const SENIOR_LEVELS: Record<string, number> = {
  ...Object.fromEntries(
    [
      'get_orders', 'get_order_detail', 'get_quotes', 'get_quote_detail', 'update_quote_message', 'checkout_with_quote', 'get_quote_pdf', ...S9,
      'approve_draft_shopping_list', 'purchase_enable', 'get_addresses', 'get_address_detail', 'get_default_shipping', 'get_default_billing',
    ].map((code) => [code, 2]),
  ),
  create_quote: 1,
  submit_shopping_list_for_approval: 1,
};
const JUNIOR_LEVELS: Record<string, number> = Object.fromEntries(
  ['get_orders', 'get_order_detail', 'get_quotes', 'get_quote_detail', 'update_quote_message', 'get_quote_pdf', ...S9, 'create_quote', 'submit_shopping_list_for_approval'].map(
    (code) => [code, 1],
  ),
);

/** A level-3 custom role added to STORE for the roles tests (levels as stored, §7.2 / §13 #10). */
const GROUP_MANAGER = { id: 9, name: 'Group Manager', permissions: [{ code: 'get_users', permissionLevel: 3 }, { code: 'get_company_subsidiaries', permissionLevel: 3 }] };

const ROLE_LIST = [
  { id: 0, name: 'Admin', roleType: 1, roleLevel: 1 },
  { id: 1, name: 'Senior Buyer', roleType: 1, roleLevel: 1 },
  { id: 2, name: 'Junior Buyer', roleType: 1, roleLevel: 1 },
  { id: 5, name: 'User Manager', roleType: 2, roleLevel: 1 },
  { id: 6, name: 'Order Viewer', roleType: 2, roleLevel: 1 },
  { id: 9, name: 'Group Manager', roleType: 2, roleLevel: 1 },
];

/** Ids that cannot exist (§3.5): each answers the resource's 404, never 422 nor a prefix parse. */
const MALFORMED_IDS = ['4201abc', '-1', '1e3', '%20', '12.0', '9007199254740992', '99999999999999999999'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe.each(dialects)('Management API Companies on %s', (dialect) => {
  async function withApp<T>(fn: (t: TestApp) => Promise<T>, options: Partial<TestAppOptions> = {}): Promise<T> {
    const t = await createTestApp({ dialect, now: NOW, fixture: companiesFixture(), ...options });
    try {
      return await fn(t);
    } finally {
      await t.close();
    }
  }

  async function ids(t: TestApp, query: Record<string, string | number | (string | number)[]> = {}, token: string = TOKENS.modify): Promise<number[]> {
    const res = await mgmt(t, 'GET', '/companies', { query, token });
    expect(res.status, `${JSON.stringify(query)}: ${res.raw}`).toBe(200);
    return (res.body.data as { companyId: number }[]).map((c) => c.companyId);
  }

  async function detail(t: TestApp, id: number): Promise<Json> {
    const res = await mgmt(t, 'GET', `/companies/${id}`);
    expect(res.status, res.raw).toBe(200);
    return res.body.data;
  }

  async function companyUsers(t: TestApp, companyId: number): Promise<Json[]> {
    const res = await mgmt(t, 'GET', '/users', { query: { companyId, isIncludeExtraFields: 1 } });
    expect(res.status, res.raw).toBe(200);
    return res.body.data;
  }

  // ---------------------------------------------------------------- GET /companies (§5.2)
  describe('GET /companies', () => {
    it('default: every Company of the store, every status, updatedAt DESC then companyId DESC, exact items and types', async () => {
      await withApp(async (t) => {
        const res = await mgmt(t, 'GET', '/companies');
        const expected = DEFAULT_ORDER.map((id) => companyObject(seedOf(id)));
        expectBody(res, 200, companyList(expected, { totalCount: 8, limit: 10, offset: 0 }));
        for (const item of res.body.data as Json[]) {
          expect(typeof item.companyId).toBe('number');
          expect(typeof item.companyStatus).toBe('number');
          expect(typeof item.bcGroupId).toBe('number');
          expect(typeof item.createdAt).toBe('string');
          expect(typeof item.updatedAt).toBe('string');
          expect(item).not.toHaveProperty('extraFields');
        }
        expect(res.body.data[3].parentCompany).toEqual({ id: 123456, name: 'Great Buys' });
        expect(res.body.data[0].parentCompany).toEqual({});
        // the legacy authToken and the read-only token read the same list
        expect((await mgmt(t, 'GET', '/companies', { token: null, legacy: TOKENS.legacy })).raw).toBe(res.raw);
        expect((await mgmt(t, 'GET', '/companies', { token: TOKENS.read })).raw).toBe(res.raw);
      });
    });

    it('time filters are inclusive unix seconds; an empty value is no filter; non-integers are 422 company style', async () => {
      await withApp(async (t) => {
        const sep1 = unix('2025-09-01T00:00:00Z');
        expect(await ids(t, { minModified: sep1 })).toEqual([223344, 123456, 445566, 123457]);
        expect(await ids(t, { maxModified: sep1 })).toEqual([123457, 600002, 600001, 556677, 334455]);
        expect(await ids(t, { minModified: sep1, maxModified: sep1 })).toEqual([123457]);
        expect(await ids(t, { minModified: sep1 + 1, maxModified: sep1 + 1 })).toEqual([]);
        expect(await ids(t, { minCreated: unix('2025-05-10T00:00:00Z') })).toEqual([445566, 600002, 600001, 556677]);
        expect(await ids(t, { maxCreated: unix('2025-02-10T00:00:00Z') })).toEqual([123456, 123457]);
        expect(await ids(t, { minCreated: unix('2025-02-10T00:00:00Z'), maxCreated: unix('2025-03-10T00:00:00Z') })).toEqual([223344, 123457]);
        expect(await ids(t, { minCreated: unix('2025-03-10T00:00:00Z') + 1, maxModified: unix('2025-10-01T00:00:00Z') })).toEqual([
          445566, 600002, 600001, 556677, 334455,
        ]);
        // allowEmptyValue: an empty value is the same as no parameter
        expect(await ids(t, { minModified: '', maxModified: '', minCreated: '', maxCreated: '' })).toEqual(DEFAULT_ORDER);
        for (const param of ['minModified', 'maxModified', 'minCreated', 'maxCreated']) {
          for (const value of ['abc', '1.5', '2025-01-01', '12abc']) {
            expectBody(await mgmt(t, 'GET', '/companies', { query: { [param]: value } }), 422, companyInvalid(`The ${param} value is invalid.`));
          }
        }
      });
    });

    it('sortBy companyName (case-insensitive) and updatedAt, orderBy ASC/DESC (any case), ties by companyId in the same direction', async () => {
      await withApp(async (t) => {
        const byNameAsc = [600001, 123456, 600002, 123457, 556677, 334455, 445566, 223344];
        expect(await ids(t, { sortBy: 'companyName', orderBy: 'ASC' })).toEqual(byNameAsc);
        expect(await ids(t, { sortBy: 'companyName', orderBy: 'asc' })).toEqual(byNameAsc);
        expect(await ids(t, { sortBy: 'companyName', orderBy: 'DESC' })).toEqual([...byNameAsc].reverse());
        expect(await ids(t, { sortBy: 'companyName' })).toEqual([...byNameAsc].reverse()); // orderBy defaults to DESC
        expect(await ids(t, { sortBy: 'updatedAt', orderBy: 'ASC' })).toEqual([...DEFAULT_ORDER].reverse());
        expect(await ids(t, { sortBy: 'updatedAt', orderBy: 'Desc' })).toEqual(DEFAULT_ORDER);
        expect(await ids(t, { orderBy: 'ASC' })).toEqual([...DEFAULT_ORDER].reverse());
        expectBody(await mgmt(t, 'GET', '/companies', { query: { sortBy: 'companyId' } }), 422, companyInvalid('The sortBy value is invalid.'));
        expectBody(await mgmt(t, 'GET', '/companies', { query: { sortBy: 'createdAt' } }), 422, companyInvalid('The sortBy value is invalid.'));
        expectBody(await mgmt(t, 'GET', '/companies', { query: { orderBy: 'up' } }), 422, companyInvalid('The orderBy value is invalid.'));
      });
    });

    it('q, companyStatus, bcGroupId, customerId, order ids; filters AND; repeated scalars: the last wins; unknown parameters ignored', async () => {
      await withApp(async (t) => {
        expect(await ids(t, { q: 'great' })).toEqual([123456, 123457, 600002]);
        expect(await ids(t, { q: 'BUYS W' })).toEqual([123457]);
        expect(await ids(t, { q: 'ALPHA' })).toEqual([600001]);
        expect(await ids(t, { q: '%' })).toEqual([]);
        expect(await ids(t, { q: 'nothing like it' })).toEqual([]);
        expect(await ids(t, { companyStatus: 0 })).toEqual([334455]);
        expect(await ids(t, { companyStatus: 1 })).toEqual([223344, 123456, 123457, 600001]);
        expect(await ids(t, { companyStatus: 2 })).toEqual([445566, 600002]);
        expect(await ids(t, { companyStatus: 3 })).toEqual([556677]);
        expect(await ids(t, { companyStatus: [0, 2] })).toEqual([445566, 600002]);
        for (const value of ['4', '-1', 'x', '1.5']) {
          expectBody(await mgmt(t, 'GET', '/companies', { query: { companyStatus: value } }), 422, companyInvalid('The companyStatus value is invalid.'));
        }
        expect(await ids(t, { bcGroupId: 4 })).toEqual([123456, 123457]);
        expect(await ids(t, { bcGroupId: 7 })).toEqual([223344, 600002]);
        expect(await ids(t, { bcGroupId: 9 })).toEqual([556677]);
        expect(await ids(t, { bcGroupId: 0 })).toEqual([445566, 600001, 334455]);
        expect(await ids(t, { bcGroupId: 12345 })).toEqual([]);
        expect(await ids(t, { customerId: USERS.senior.bcId })).toEqual([123456]);
        expect(await ids(t, { customerId: USERS.westAdmin.bcId })).toEqual([123457]);
        expect(await ids(t, { customerId: USERS.rejectedViewer.bcId })).toEqual([445566]);
        expect(await ids(t, { customerId: WALK_IN.bcId })).toEqual([]); // a B2C customer
        expect(await ids(t, { customerId: 950 })).toEqual([]); // a customer of the other store
        expect(await ids(t, { customerId: 99999 })).toEqual([]);
        expect(await ids(t, { bcOrderId: 100 })).toEqual([]);
        expect(await ids(t, { orderId: 100 })).toEqual([]);
        const none = await mgmt(t, 'GET', '/companies', { query: { bcOrderId: 100 } });
        expectBody(none, 200, companyList([], { totalCount: 0, limit: 10, offset: 0 }));
        for (const param of ['bcGroupId', 'customerId', 'bcOrderId', 'orderId']) {
          expectBody(await mgmt(t, 'GET', '/companies', { query: { [param]: 'x' } }), 422, companyInvalid(`The ${param} value is invalid.`));
        }
        expect(await ids(t, { q: 'great', companyStatus: 2 })).toEqual([600002]);
        expect(await ids(t, { q: 'great', bcGroupId: 4, minModified: unix('2025-10-01T00:00:00Z') })).toEqual([123456]);
        expect(await ids(t, { foo: 'bar', companyId: 1 })).toEqual(DEFAULT_ORDER);
      });
    });

    it('extraFields name:value pairs: repeated or comma-separated, AND, names case-insensitive, search vs exact-match', async () => {
      await withApp(async (t) => {
        expect(await ids(t, { extraFields: 'Tax Code:G' })).toEqual([123456, 123457, 556677]);
        expect(await ids(t, { extraFields: 'Tax Code:G', extraFieldFilterType: 'search' })).toEqual([123456, 123457, 556677]);
        expect(await ids(t, { extraFields: 'Tax Code:G', extraFieldFilterType: 'exact-match' })).toEqual([123456, 556677]);
        expect(await ids(t, { extraFields: 'tax code:h' })).toEqual([223344, 123457]);
        expect(await ids(t, { extraFields: 'tax code:h', extraFieldFilterType: 'exact-match' })).toEqual([]); // exact is case-sensitive
        expect(await ids(t, { extraFields: 'Region:north' })).toEqual([123456, 445566, 123457]);
        expect(await ids(t, { extraFields: 'Region:north', extraFieldFilterType: 'exact-match' })).toEqual([123457]);
        expect(await ids(t, { extraFields: ['Tax Code:G', 'Region:north'] })).toEqual([123456, 123457]);
        expect(await ids(t, { extraFields: 'Tax Code:G,Region:north' })).toEqual([123456, 123457]);
        expect(await ids(t, { extraFields: ['Tax Code:G', 'Region:south'] })).toEqual([]);
        // split at the first colon
        expect(await ids(t, { extraFields: 'Region:Zone:5', extraFieldFilterType: 'exact-match' })).toEqual([334455]);
        expect(await ids(t, { extraFields: 'Nope:G' })).toEqual([]);
        expectBody(await mgmt(t, 'GET', '/companies', { query: { extraFields: 'Tax Code' } }), 422, companyInvalid('The extraFields value is invalid.'));
        expectBody(await mgmt(t, 'GET', '/companies', { query: { extraFields: ['Tax Code:G', 'Region'] } }), 422, companyInvalid('The extraFields value is invalid.'));
      });
    });

    it('isIncludeExtraFields=1 adds extraFields ([] when none) after uuid; 0 or absent omits the key; other values 422', async () => {
      await withApp(async (t) => {
        const res = await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: 1 } });
        expectBody(res, 200, companyList(DEFAULT_ORDER.map((id) => companyObject(seedOf(id), { extraFields: true })), { totalCount: 8, limit: 10, offset: 0 }));
        expect(res.body.data.find((c: Json) => c.companyId === 600001).extraFields).toEqual([]);
        const off = await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: 0 } });
        expect(off.raw).toBe((await mgmt(t, 'GET', '/companies')).raw);
        for (const value of ['2', 'true', 'yes']) {
          expectBody(await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: value } }), 422, companyInvalid('The isIncludeExtraFields value is invalid.'));
        }
      });
    });

    it('paging is lenient (§3.3) and pagination echoes the effective values', async () => {
      await withApp(async (t) => {
        const cases: [Record<string, string | number>, number, number][] = [
          [{ limit: 3, offset: 2 }, 3, 2],
          [{ limit: 0 }, 10, 0],
          [{ limit: -4 }, 10, 0],
          [{ limit: 'abc' }, 10, 0],
          [{ limit: '2.5' }, 10, 0],
          [{ limit: 300 }, 250, 0],
          [{ offset: -1 }, 10, 0],
          [{ offset: 'x' }, 10, 0],
          [{ limit: '', offset: '' }, 10, 0],
          [{ limit: 1, offset: 7 }, 1, 7],
          [{ offset: 8 }, 10, 8],
          [{ offset: 100 }, 10, 100],
        ];
        for (const [query, limit, offset] of cases) {
          const res = await mgmt(t, 'GET', '/companies', { query });
          expectBody(res, 200, companyList(DEFAULT_ORDER.slice(offset, offset + limit).map((id) => companyObject(seedOf(id))), { totalCount: 8, limit, offset }));
        }
        const filtered = await mgmt(t, 'GET', '/companies', { query: { q: 'great', limit: 1, offset: 1 } });
        expect(filtered.body.meta.pagination).toEqual({ totalCount: 3, limit: 1, offset: 1 });
        expect(filtered.body.data.map((c: Json) => c.companyId)).toEqual([123457]);
      });
    });
  });

  // ---------------------------------------------------------------- GET /companies/{id} (§5.4)
  describe('GET /companies/{companyId}', () => {
    it('the Company with bcGroupId as a string and extraFields always; leading zeros allowed', async () => {
      await withApp(async (t) => {
        for (const seed of Object.values(SEEDS)) {
          const res = await mgmt(t, 'GET', `/companies/${seed.id}`);
          expectBody(res, 200, companyOk(companyObject(seed, { detail: true })));
          expect(typeof res.body.data.bcGroupId).toBe('string');
        }
        expect((await mgmt(t, 'GET', '/companies/0123456')).raw).toBe((await mgmt(t, 'GET', '/companies/123456')).raw);
        expect((await mgmt(t, 'GET', '/companies/123456/')).raw).toBe((await mgmt(t, 'GET', '/companies/123456')).raw);
        const greatBuys = await detail(t, 123456);
        expect(greatBuys.extraFields).toEqual([
          { fieldName: 'Tax Code', fieldValue: 'G', labelName: 'Tax Code', isRequired: '0', dataType: '3', fieldType: 3 },
          { fieldName: 'Region', fieldValue: 'North East', labelName: 'Region', isRequired: '0', dataType: '0', fieldType: 0 },
        ]);
        expect(greatBuys.bcGroupId).toBe('4');
        expect(greatBuys.bcGroupName).toBe('Wholesale Tier');
        expect((await detail(t, 556677)).bcGroupName).toBe(''); // a group the fixture does not name
        expect((await detail(t, 600001)).extraFields).toEqual([]);
      });
    });

    it('unknown, malformed or other-store ids: 404 This resource is not found. with data {}', async () => {
      await withApp(async (t) => {
        for (const id of ['999999', '0', ...MALFORMED_IDS, String(OTHER_SEED.id)]) {
          expectBody(await mgmt(t, 'GET', `/companies/${id}`), 404, NOT_FOUND);
        }
      });
    });
  });

  // ---------------------------------------------------------------- GET /companies/extra-fields (§5.10, §4.9, §8)
  describe('GET /companies/extra-fields', () => {
    it('the declared configurations as §4.9 items, paged; derived configurations where none are declared', async () => {
      await withApp(async (t) => {
        const res = await mgmt(t, 'GET', '/companies/extra-fields');
        expect(res.status, res.raw).toBe(200);
        const [taxCode, region] = res.body.data as Json[];
        expect(taxCode?.uuid).toMatch(UUID);
        expect(region?.uuid).toMatch(UUID);
        expect(taxCode?.uuid).not.toBe(region?.uuid);
        const expected = [
          {
            id: 1, uuid: taxCode?.uuid, fieldName: 'Tax Code', fieldType: 3, isRequired: false, isUnique: false, visibleToEnduser: true, configType: 2,
            defaultValue: '', maximumLength: '', numberOfRows: '', maximumValue: '', listOfValue: ['G', 'H', 'GH'],
          },
          {
            id: 2, uuid: region?.uuid, fieldName: 'Region', fieldType: 0, isRequired: false, isUnique: false, visibleToEnduser: false, configType: 2,
            defaultValue: '', maximumLength: '20', numberOfRows: '', maximumValue: '', listOfValue: [],
          },
        ];
        expectBody(res, 200, companyList(expected, { totalCount: 2, limit: 10, offset: 0 }));
        // stable ids
        expect((await mgmt(t, 'GET', '/companies/extra-fields')).raw).toBe(res.raw);
        expectBody(await mgmt(t, 'GET', '/companies/extra-fields', { query: { limit: 1, offset: 1 } }), 200, companyList([expected[1]], { totalCount: 2, limit: 1, offset: 1 }));
        // the other store declares none: its Company field is derived (optional text, 150)
        const other = await mgmt(t, 'GET', '/companies/extra-fields', { token: TOKENS.other });
        expect(other.status, other.raw).toBe(200);
        expect(other.body.meta).toEqual({ message: SUCCESS, pagination: { totalCount: 1, limit: 10, offset: 0 } });
        expect(other.body.data).toEqual([
          {
            id: 1, uuid: expect.stringMatching(UUID), fieldName: 'Region', fieldType: 0, isRequired: false, isUnique: false, visibleToEnduser: expect.any(Boolean),
            configType: 2, defaultValue: '', maximumLength: '150', numberOfRows: '', maximumValue: '', listOfValue: [],
          },
        ]);
        expect(other.body.data[0].uuid).not.toBe(region?.uuid); // derived from (store hash, kind, name)
        expect(Object.keys(other.body.data[0])).toEqual(Object.keys(expected[0] as Json));
      });
    });
  });

  // ---------------------------------------------------------------- POST /companies (§5.3, §5.11)
  describe('POST /companies', () => {
    it('creates an Approved Company and its Admin user on a new passwordless customer; 200 {companyId, customerId, customerGroupId}', async () => {
      await withApp(async (t) => {
        await clearWorldEvents(t);
        const customersBefore = await t.database.kysely.selectFrom('customers').select('id').execute();
        const res = await mgmt(t, 'POST', '/companies', { body: newCompany() });
        expect(res.status, res.raw).toBe(200);
        const { companyId, customerId } = res.body.data;
        expect(Number.isInteger(companyId)).toBe(true);
        expect(Number.isInteger(customerId)).toBe(true);
        expect(companyId).toBeGreaterThan(600002); // Companies continue above the fixture's highest
        expect(customersBefore.map((c) => Number(c.id))).not.toContain(customerId);
        expectBody(res, 200, companyOk({ companyId, customerId, customerGroupId: 0 }));

        const created: CompanySeed = {
          ...blank, id: companyId, name: 'Curie Labs 1', status: 1, parentId: null, email: 'info1@curielabs.example', phone: '555-0199', country: 'FR',
          customerGroupId: 0, extraFields: [], createdAt: new Date(NOW).toISOString(), updatedAt: new Date(NOW).toISOString(),
        };
        expectBody(await mgmt(t, 'GET', `/companies/${companyId}`), 200, companyOk(companyObject(created, { detail: true })));

        const users = await mgmt(t, 'GET', '/users', { query: { companyId } });
        expect(users.status, users.raw).toBe(200);
        const admin = users.body.data[0];
        expect(typeof admin?.id).toBe('number');
        expectBody(
          users,
          200,
          usersList(
            [
              {
                id: admin.id, companyId, firstName: 'Ada', lastName: 'Byron1', email: 'ada1@curielabs.example', phoneNumber: '', role: 0, companyRoleId: 0,
                companyRoleName: 'Admin', uuid: '', customerId, channelList: [CHANNELS.default], createdAt: NOW_S, updatedAt: NOW_S,
              },
            ],
            { totalCount: 1, limit: 10, offset: 0 },
          ),
        );
        // a new customer has no password: credentials sign-in fails
        expect((await signInStorefront(t, 'ada1@curielabs.example')).status).toBe(400);

        const events = await worldEvents(t, 'company');
        expect(events.map((e) => e.type)).toEqual(['company.created', 'company.user.created']);
        expect(events[0]).toMatchObject({ subject: { companyId }, before: null });
        expect(events[1]).toMatchObject({ subject: { companyId, userId: admin.id }, before: null });
      });
    });

    it('optional fields are stored as sent: address, group, uuid, channels, admin phone, Company and admin extra fields; country as sent', async () => {
      await withApp(async (t) => {
        const body = {
          ...newCompany(2),
          country: 'Deutschland',
          addressLine1: 'Unter den Linden 1',
          addressLine2: '2. OG',
          city: 'Berlin',
          state: 'BE',
          zipCode: '10117',
          adminPhoneNumber: '+49 30 1234',
          customerGroupId: '7',
          catalogId: 'ignored-catalog',
          uuid: 'erp-new',
          channelIds: [CHANNELS.wholesale.channelId, CHANNELS.default.channelId],
          originChannelId: CHANNELS.wholesale.channelId,
          acceptCreationEmail: false,
          extraFields: [
            { fieldName: 'Tax Code', fieldValue: 'GH' },
            { fieldName: 'Region', fieldValue: 42 },
          ],
          userExtraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-9' }],
          someUnknownKey: 'ignored',
        };
        const res = await mgmt(t, 'POST', '/companies', { body });
        expect(res.status, res.raw).toBe(200);
        const { companyId, customerId } = res.body.data;
        expectBody(res, 200, companyOk({ companyId, customerId, customerGroupId: 7 }));
        const created: CompanySeed = {
          id: companyId, name: 'Curie Labs 2', status: 1, parentId: null, email: 'info2@curielabs.example', phone: '555-0199',
          addressLine1: 'Unter den Linden 1', addressLine2: '2. OG', city: 'Berlin', state: 'BE', zipCode: '10117', country: 'Deutschland',
          customerGroupId: 7, uuid: 'erp-new',
          extraFields: [{ fieldName: 'Tax Code', fieldValue: 'GH' }, { fieldName: 'Region', fieldValue: '42' }],
          createdAt: new Date(NOW).toISOString(), updatedAt: new Date(NOW).toISOString(),
        };
        expectBody(await mgmt(t, 'GET', `/companies/${companyId}`), 200, companyOk(companyObject(created, { detail: true })));
        const [admin] = await companyUsers(t, companyId);
        expect(admin).toMatchObject({
          phoneNumber: '+49 30 1234',
          role: 0,
          customerId,
          channelList: [CHANNELS.default, CHANNELS.wholesale],
          extraFields: [{ fieldName: 'Cost Center', fieldValue: 'CC-9' }],
        });
        // an undeclared customer group is stored as given, with no name
        const other = await mgmt(t, 'POST', '/companies', { body: { ...newCompany(3), customerGroupId: 31 } });
        expectBody(other, 200, companyOk({ companyId: other.body.data.companyId, customerId: other.body.data.customerId, customerGroupId: 31 }));
        const read = await detail(t, other.body.data.companyId);
        expect([read.bcGroupId, read.bcGroupName]).toEqual(['31', '']);
        // names are not unique
        expect((await mgmt(t, 'POST', '/companies', { body: { ...newCompany(4), companyName: 'Great Buys' } })).status).toBe(200);
        expect(await ids(t, { q: 'Great Buys', sortBy: 'companyName', orderBy: 'ASC' })).toHaveLength(4);
      });
    });

    it('the admin e-mail of an existing customer links it (case-insensitive): names overwritten, password kept, storefront sign-in works', async () => {
      await withApp(async (t) => {
        const customers = await t.database.kysely.selectFrom('customers').select('id').execute();
        const res = await mgmt(t, 'POST', '/companies', { body: { ...newCompany(5), adminEmail: 'WALK.IN@example.com', adminFirstName: 'Walker', adminLastName: 'Inn' } });
        expect(res.status, res.raw).toBe(200);
        expectBody(res, 200, companyOk({ companyId: res.body.data.companyId, customerId: WALK_IN.bcId, customerGroupId: 0 }));
        expect((await t.database.kysely.selectFrom('customers').select('id').execute()).length).toBe(customers.length);
        const [admin] = await companyUsers(t, res.body.data.companyId);
        expect(admin).toMatchObject({ firstName: 'Walker', lastName: 'Inn', email: 'WALK.IN@example.com', customerId: WALK_IN.bcId, role: 0 });
        const signIn = await signInStorefront(t, WALK_IN.email, WALK_IN.password);
        expect(signIn.status, signIn.raw).toBe(200);
        const list = await storefront(t, signIn.body.data.token, 'GET', '/api/v2/users');
        expect(list.status, list.raw).toBe(200);
        expect(list.body.data.list.map((u: Json) => Number(u.id))).toEqual([admin?.id]);
        // the other store's customer with the same e-mail is untouched: its store has no new Company
        expect(await ids(t, {}, TOKENS.other)).toEqual([OTHER_SEED.id]);
      });
    });

    it('an admin e-mail held by a Company user of the store: 422 Email already exists (company style), nothing written, no event', async () => {
      await withApp(async (t) => {
        await clearWorldEvents(t);
        for (const email of ['p.curie@greatbuys.com', 'P.Curie@GreatBuys.COM', USERS.inactiveAdmin.email]) {
          const res = await mgmt(t, 'POST', '/companies', { body: { ...newCompany(6), adminEmail: email } });
          expectBody(res, 422, companyInvalid(`Email already exists. ['${email}']`));
        }
        expect(await ids(t, { q: 'Curie Labs' })).toEqual([]);
        expect(await worldEvents(t, 'company')).toEqual([]);
        // an e-mail used only in the other store does not conflict (§14 #10)
        expect((await mgmt(t, 'POST', '/companies', { body: { ...newCompany(7), adminEmail: 'olive.admin@other.example' } })).status).toBe(200);
      });
    });

    it('validation: each §5.11 sentence, rules in order, first failure wins; nothing is written', async () => {
      await withApp(async (t) => {
        const v = newCompany(8);
        const long = (n: number) => 'x'.repeat(n);
        const cases: [string, unknown, string][] = [
          ['empty object', {}, 'The company name is required.'],
          ['companyName missing', without(v, 'companyName'), 'The company name is required.'],
          ['companyName null', { ...v, companyName: null }, 'The company name is required.'],
          ['companyName blank', { ...v, companyName: '   ' }, 'The company name is required.'],
          ['companyEmail missing', without(v, 'companyEmail'), 'The company email is required.'],
          ['companyEmail empty', { ...v, companyEmail: '' }, 'The company email is required.'],
          ['companyPhone null', { ...v, companyPhone: null }, 'The company phone is required.'],
          ['country blank', { ...v, country: ' ' }, 'The country is required.'],
          ['adminFirstName missing', without(v, 'adminFirstName'), 'The admin first name is required.'],
          ['adminLastName empty', { ...v, adminLastName: '' }, 'The admin last name is required.'],
          ['adminEmail null', { ...v, adminEmail: null }, 'The admin email is required.'],
          ['required in field order: phone before admin email', without(v, 'companyPhone', 'adminEmail'), 'The company phone is required.'],
          ['required in field order: country before admin names', without(v, 'country', 'adminFirstName'), 'The country is required.'],
          ['a required field before an invalid e-mail', { ...without(v, 'adminFirstName'), companyEmail: 'not-an-email' }, 'The admin first name is required.'],
          ['companyEmail invalid', { ...v, companyEmail: 'not-an-email' }, 'The company email is invalid.'],
          ['adminEmail invalid', { ...v, adminEmail: 'ada@' }, 'The admin email is invalid.'],
          ['company e-mail checked before admin e-mail', { ...v, companyEmail: 'x', adminEmail: 'y' }, 'The company email is invalid.'],
          ['an invalid e-mail before a length', { ...v, adminEmail: 'ada@', companyName: long(201) }, 'The admin email is invalid.'],
          ['companyName 201', { ...v, companyName: long(201) }, 'The company name may not be longer than 200 characters.'],
          ['companyEmail 201', { ...v, companyEmail: emailOfLength(201) }, 'The company email may not be longer than 200 characters.'],
          ['companyPhone 51', { ...v, companyPhone: long(51) }, 'The company phone may not be longer than 50 characters.'],
          ['addressLine1 201', { ...v, addressLine1: long(201) }, 'The address line 1 may not be longer than 200 characters.'],
          ['addressLine2 201', { ...v, addressLine2: long(201) }, 'The address line 2 may not be longer than 200 characters.'],
          ['city 101', { ...v, city: long(101) }, 'The city may not be longer than 100 characters.'],
          ['state 51', { ...v, state: long(51) }, 'The state may not be longer than 50 characters.'],
          ['country 201', { ...v, country: long(201) }, 'The country may not be longer than 200 characters.'],
          ['zipCode 51', { ...v, zipCode: long(51) }, 'The zip code may not be longer than 50 characters.'],
          ['adminFirstName 101', { ...v, adminFirstName: long(101) }, 'The admin first name may not be longer than 100 characters.'],
          ['adminLastName 101', { ...v, adminLastName: long(101) }, 'The admin last name may not be longer than 100 characters.'],
          ['adminEmail 101', { ...v, adminEmail: emailOfLength(101) }, 'The admin email may not be longer than 100 characters.'],
          ['adminPhoneNumber 101', { ...v, adminPhoneNumber: long(101) }, 'The admin phone number may not be longer than 100 characters.'],
          ['uuid 256', { ...v, uuid: long(256) }, 'The UUID may not be longer than 255 characters.'],
          ['lengths in label order', { ...v, zipCode: long(51), addressLine1: long(201), uuid: long(256) }, 'The address line 1 may not be longer than 200 characters.'],
          ['customerGroupId not a number', { ...v, customerGroupId: 'abc' }, 'The customer group ID is invalid.'],
          ['customerGroupId negative', { ...v, customerGroupId: -1 }, 'The customer group ID is invalid.'],
          ['customerGroupId fractional', { ...v, customerGroupId: 1.5 }, 'The customer group ID is invalid.'],
          ['a length before the group', { ...v, customerGroupId: 'abc', city: long(101) }, 'The city may not be longer than 100 characters.'],
          ['originChannelId negative', { ...v, originChannelId: -1 }, 'The origin channel ID is invalid.'],
          ['originChannelId not a number', { ...v, originChannelId: 'one' }, 'The origin channel ID is invalid.'],
          ['group before origin channel', { ...v, customerGroupId: -2, originChannelId: -1 }, 'The customer group ID is invalid.'],
          ['unknown channel', { ...v, channelIds: [99] }, 'The channel 99 does not exist.'],
          ['second channel unknown', { ...v, channelIds: [1, 42] }, 'The channel 42 does not exist.'],
          ['origin channel before channels', { ...v, originChannelId: -1, channelIds: [99] }, 'The origin channel ID is invalid.'],
          ['undeclared Company extra field', { ...v, extraFields: [{ fieldName: 'Colour', fieldValue: 'red' }] }, 'The extra field "Colour" does not exist.'],
          ['dropdown value not listed', { ...v, extraFields: [{ fieldName: 'Tax Code', fieldValue: 'Z' }] }, 'The value of extra field "Tax Code" is invalid.'],
          ['text over maximumLength', { ...v, extraFields: [{ fieldName: 'Region', fieldValue: long(21) }] }, 'The value of extra field "Region" is invalid.'],
          ['extra field without a name', { ...v, extraFields: [{ fieldValue: 'G' }] }, 'The extra field name is required.'],
          ['admin extra field over 150 (no user configs declared)', { ...v, userExtraFields: [{ fieldName: 'Cost Center', fieldValue: long(151) }] }, 'The value of extra field "Cost Center" is invalid.'],
          ['channels before extra fields', { ...v, channelIds: [99], extraFields: [{ fieldName: 'Colour', fieldValue: 'red' }] }, 'The channel 99 does not exist.'],
          ['extra fields before the e-mail conflict', { ...v, adminEmail: USERS.senior.email, extraFields: [{ fieldName: 'Colour', fieldValue: 'red' }] }, 'The extra field "Colour" does not exist.'],
          ['a list body', [v], 'The request body is invalid.'],
          ['a string body', 'company', 'The request body is invalid.'],
        ];
        await clearWorldEvents(t);
        for (const [label, body, sentence] of cases) {
          const res = await mgmt(t, 'POST', '/companies', { body });
          expect(res.status, `${label}: ${res.raw}`).toBe(422);
          expect(res.raw, label).toBe(JSON.stringify(companyInvalid(sentence)));
        }
        // an empty body is {}
        expectBody(await mgmt(t, 'POST', '/companies', { rawBody: '', headers: { 'content-type': 'application/json' } }), 422, companyInvalid('The company name is required.'));
        expect(await ids(t)).toEqual(DEFAULT_ORDER);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('values at the limits are accepted; integers from numeric strings and integral floats', async () => {
      await withApp(async (t) => {
        const body = {
          companyName: 'n'.repeat(200),
          companyEmail: emailOfLength(200),
          companyPhone: 'p'.repeat(50),
          country: 'c'.repeat(200),
          addressLine1: 'a'.repeat(200),
          addressLine2: 'b'.repeat(200),
          city: 'y'.repeat(100),
          state: 's'.repeat(50),
          zipCode: 'z'.repeat(50),
          adminFirstName: 'f'.repeat(100),
          adminLastName: 'l'.repeat(100),
          adminEmail: emailOfLength(100),
          adminPhoneNumber: '9'.repeat(100),
          uuid: 'u'.repeat(255),
          customerGroupId: 4.0,
          originChannelId: '1',
          channelIds: ['1'],
        };
        const res = await mgmt(t, 'POST', '/companies', { body });
        expect(res.status, res.raw).toBe(200);
        expect(res.body.data.customerGroupId).toBe(4);
        const read = await detail(t, res.body.data.companyId);
        expect(read).toMatchObject({ companyName: body.companyName, companyEmail: body.companyEmail, city: body.city, uuid: body.uuid, bcGroupId: '4', bcGroupName: 'Wholesale Tier' });
      });
    });
  });

  // ---------------------------------------------------------------- PUT /companies/{id} (§5.5)
  describe('PUT /companies/{companyId}', () => {
    it('partial update: only present keys change, read-only keys ignored, updatedAt moves, company.updated fires', async () => {
      await withApp(async (t) => {
        await clearWorldEvents(t);
        t.clock.advance(90_000);
        const res = await mgmt(t, 'PUT', '/companies/123456', {
          body: {
            companyPhone: '555-1000',
            addressLine2: '',
            city: 'Chicago',
            customerGroupId: 7,
            uuid: 'erp-new-id',
            extraFields: [{ fieldName: 'Region', fieldValue: 'Midwest' }],
            companyStatus: 3,
            companyId: 999,
            catalogId: 'catalog-9',
            priceListAssign: [{ channelId: 1, priceListId: 2 }],
            unknownKey: true,
          },
        });
        expectBody(res, 200, companyOk({ companyId: 123456 }));
        const updated: CompanySeed = {
          ...SEEDS.greatBuys,
          phone: '555-1000',
          addressLine2: '',
          city: 'Chicago',
          customerGroupId: 7,
          uuid: 'erp-new-id',
          extraFields: [{ fieldName: 'Tax Code', fieldValue: 'G' }, { fieldName: 'Region', fieldValue: 'Midwest' }],
          updatedAt: new Date(NOW + 90_000).toISOString(),
        };
        expectBody(await mgmt(t, 'GET', '/companies/123456'), 200, companyOk(companyObject(updated, { detail: true })));
        expect(await ids(t, { companyStatus: 3 })).toEqual([556677]);
        // the moved updatedAt puts it first in the default order
        expect((await ids(t))[0]).toBe(123456);
        const events = await worldEvents(t, 'company');
        expect(events.map((e) => e.type)).toEqual(['company.updated']);
        expect(events[0]).toMatchObject({ subject: { companyId: 123456 } });
        // the subsidiary shows the parent's name as it is now
        expect((await mgmt(t, 'PUT', '/companies/123456', { body: { companyName: 'Great Buys Group' } })).status).toBe(200);
        expect((await detail(t, 123457)).parentCompany).toEqual({ id: 123456, name: 'Great Buys Group' });
      });
    });

    it('a PUT that changes nothing keeps updatedAt and fires nothing (extraFields: [] is no change)', async () => {
      await withApp(async (t) => {
        const before = await mgmt(t, 'GET', '/companies/223344');
        await clearWorldEvents(t);
        t.clock.advance(3_600_000);
        const seed = SEEDS.rival;
        for (const body of [
          {},
          { companyName: seed.name, companyPhone: seed.phone, city: seed.city, customerGroupId: seed.customerGroupId, uuid: seed.uuid },
          { extraFields: [] },
          { extraFields: [{ fieldName: 'Tax Code', fieldValue: 'H' }] },
          { companyStatus: 0 },
        ]) {
          expectBody(await mgmt(t, 'PUT', '/companies/223344', { body }), 200, companyOk({ companyId: 223344 }));
        }
        expect((await mgmt(t, 'GET', '/companies/223344')).raw).toBe(before.raw);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('null or blank required fields, lengths, e-mail, group and extra fields: the §5.11 sentence, nothing changed', async () => {
      await withApp(async (t) => {
        const before = await mgmt(t, 'GET', '/companies/123457');
        const cases: [unknown, string][] = [
          [{ companyName: null }, 'The company name is required.'],
          [{ companyName: '  ' }, 'The company name is required.'],
          [{ companyEmail: '' }, 'The company email is required.'],
          [{ companyPhone: null }, 'The company phone is required.'],
          [{ country: '' }, 'The country is required.'],
          [{ city: 'Paris', companyName: '' }, 'The company name is required.'],
          [{ companyEmail: 'nope' }, 'The company email is invalid.'],
          [{ companyName: 'x'.repeat(201) }, 'The company name may not be longer than 200 characters.'],
          [{ zipCode: 'x'.repeat(51) }, 'The zip code may not be longer than 50 characters.'],
          [{ uuid: 'x'.repeat(256) }, 'The UUID may not be longer than 255 characters.'],
          [{ customerGroupId: -3 }, 'The customer group ID is invalid.'],
          [{ extraFields: [{ fieldName: 'Colour', fieldValue: 'red' }] }, 'The extra field "Colour" does not exist.'],
          [{ extraFields: [{ fieldName: 'Tax Code', fieldValue: 'Q' }] }, 'The value of extra field "Tax Code" is invalid.'],
          [[{ companyName: 'A list' }], 'The request body is invalid.'],
        ];
        for (const [body, sentence] of cases) expectBody(await mgmt(t, 'PUT', '/companies/123457', { body }), 422, companyInvalid(sentence));
        expect((await mgmt(t, 'GET', '/companies/123457')).raw).toBe(before.raw);
        // other strings may be emptied
        expectBody(await mgmt(t, 'PUT', '/companies/123457', { body: { addressLine1: '', state: '', zipCode: '', uuid: '' } }), 200, companyOk({ companyId: 123457 }));
        expect(await detail(t, 123457)).toMatchObject({ addressLine1: '', state: '', zipCode: '', uuid: '', city: 'Los Angeles' });
      });
    });

    it('unknown, malformed and other-store ids: 404, checked before the body', async () => {
      await withApp(async (t) => {
        for (const id of ['999999', ...MALFORMED_IDS, String(OTHER_SEED.id)]) {
          expectBody(await mgmt(t, 'PUT', `/companies/${id}`, { body: { companyName: '' } }), 404, NOT_FOUND);
        }
        const other = await mgmt(t, 'GET', `/companies/${OTHER_SEED.id}`, { token: TOKENS.other });
        expectBody(other, 200, companyOk(companyObject(OTHER_SEED, { detail: true, configs: [] })));
      });
    });
  });

  // ---------------------------------------------------------------- DELETE /companies/{id} (§5.6)
  describe('DELETE /companies/{companyId}', () => {
    it('deletes the Company and its users (customers stay, as B2C), detaches its subsidiaries, and fires the events', async () => {
      await withApp(async (t) => {
        const adminToken = storefrontToken(t, USERS.admin);
        expect((await storefront(t, adminToken, 'GET', '/api/v2/users')).status).toBe(200);
        await clearWorldEvents(t);
        const res = await mgmt(t, 'DELETE', '/companies/123456');
        expectBody(res, 200, companyOk({}));

        expectBody(await mgmt(t, 'GET', '/companies/123456'), 404, NOT_FOUND);
        expectBody(await mgmt(t, 'DELETE', '/companies/123456'), 404, NOT_FOUND);
        // (detaching may move the child's updatedAt, so compare as sets)
        expect((await ids(t)).sort()).toEqual(DEFAULT_ORDER.filter((id) => id !== 123456).sort());
        expectBody(await mgmt(t, 'GET', '/users', { query: { companyId: 123456 } }), 200, usersList([], { totalCount: 0, limit: 10, offset: 0 }));
        for (const user of [USERS.admin, USERS.senior, USERS.junior, USERS.userManager]) {
          expect((await mgmt(t, 'GET', `/users/${user.id}`)).status).toBe(404);
          expect((await mgmt(t, 'GET', `/users/customer/${user.bcId}`)).status).toBe(404);
        }
        // the subsidiary is now top-level and keeps its users
        expect((await detail(t, 123457)).parentCompany).toEqual({});
        expect((await companyUsers(t, 123457)).map((u) => u.id)).toEqual([USERS.westAdmin.id]);
        // the deleted user's storefront token stops working at once
        expectBody(await storefront(t, adminToken, 'GET', '/api/v2/users'), 401, storefrontInvalidToken);
        // the customer stays: it signs in as a B2C customer (and is refused the user endpoints) ...
        const signIn = await signInStorefront(t, USERS.admin.email, PASSWORD);
        expect(signIn.status, signIn.raw).toBe(200);
        expectBody(await storefront(t, signIn.body.data.token, 'GET', '/api/v2/users'), 403, storefrontForbidden);
        // ... and a new Company user with that e-mail links the same customer
        const again = await mgmt(t, 'POST', '/users', { body: { firstName: 'Marie', lastName: 'Curie', email: USERS.admin.email, companyId: 223344, role: 1, channelIds: [1] } });
        expect(again.status, again.raw).toBe(200);
        expect(again.body.data.bcId).toBe(USERS.admin.bcId);

        const events = await worldEvents(t, 'company');
        const deleted = events.filter((e) => e.type === 'company.deleted');
        expect(deleted).toHaveLength(1);
        expect(deleted[0]).toMatchObject({ subject: { companyId: 123456 }, after: null });
        const userDeleted = events.filter((e) => e.type === 'company.user.deleted').map((e) => e.subject.userId);
        expect(userDeleted).toEqual(expect.arrayContaining([USERS.admin.id, USERS.senior.id, USERS.junior.id, USERS.userManager.id]));
        const childUpdated = events.filter((e) => e.type === 'company.updated');
        expect(childUpdated).toHaveLength(1);
        expect(childUpdated[0]).toMatchObject({ subject: { companyId: 123457 } });
        expect(events.filter((e) => e.type === 'company.created' || e.type === 'company.status.updated')).toEqual([]);
      });
    });

    it('any status, with or without users; 404 for unknown, malformed and other-store ids (nothing deleted)', async () => {
      await withApp(async (t) => {
        for (const id of [334455, 445566, 556677, 600001]) expectBody(await mgmt(t, 'DELETE', `/companies/${id}`), 200, companyOk({}));
        expect(await ids(t)).toEqual([223344, 123456, 123457, 600002]);
        for (const id of ['999999', ...MALFORMED_IDS, String(OTHER_SEED.id)]) expectBody(await mgmt(t, 'DELETE', `/companies/${id}`), 404, NOT_FOUND);
        expect(await ids(t, {}, TOKENS.other)).toEqual([OTHER_SEED.id]);
        // the customer group is untouched by deleting Companies (Independent Companies)
        expect((await detail(t, 600002)).bcGroupName).toBe('Retail');
      });
    });
  });

  // ---------------------------------------------------------------- PUT /companies/{id}/status (§5.7)
  describe('PUT /companies/{companyId}/status', () => {
    it('every status; non-approved Companies refuse their users on the storefront (403) and approval restores access at once', async () => {
      await withApp(async (t) => {
        const token = storefrontToken(t, USERS.admin);
        expect((await storefront(t, token, 'GET', '/api/v2/users')).status).toBe(200);
        let clock = 0;
        for (const status of [0, 2, 3, '2', 1]) {
          await clearWorldEvents(t);
          clock += 60_000;
          t.clock.advance(60_000);
          const res = await mgmt(t, 'PUT', '/companies/123456/status', { body: { companyStatus: status } });
          expectBody(res, 200, companyOk({ companyId: 123456 }));
          const read = await detail(t, 123456);
          expect(read.companyStatus).toBe(Number(status));
          expect(read.updatedAt).toBe(String(NOW_S + clock / 1000));
          const list = await storefront(t, token, 'GET', '/api/v2/users');
          if (Number(status) === 1) expect(list.status, list.raw).toBe(200);
          else expectBody(list, 403, storefrontForbidden);
          const events = await worldEvents(t, 'company');
          expect(events.map((e) => e.type)).toEqual(['company.updated', 'company.status.updated']);
          expect(events[1]).toMatchObject({ subject: { companyId: 123456 } });
        }
        // sign-in still issues a token for a pending Company's user; the user endpoints refuse it
        expect((await mgmt(t, 'PUT', '/companies/123456/status', { body: { companyStatus: 0 } })).status).toBe(200);
        const signIn = await signInStorefront(t, USERS.admin.email);
        expect(signIn.status, signIn.raw).toBe(200);
        expectBody(await storefront(t, signIn.body.data.token, 'GET', '/api/v2/users'), 403, storefrontForbidden);
        // the Management API ignores status: the Company's users are still listed and updatable
        expect((await companyUsers(t, 123456)).length).toBe(4);
        expect((await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body: { firstName: 'Irène' } })).status).toBe(200);
      });
    });

    it('setting the current status is a no-op: 200, updatedAt kept, no event', async () => {
      await withApp(async (t) => {
        const before = await mgmt(t, 'GET', '/companies/445566');
        await clearWorldEvents(t);
        t.clock.advance(60_000);
        expectBody(await mgmt(t, 'PUT', '/companies/445566/status', { body: { companyStatus: 2 } }), 200, companyOk({ companyId: 445566 }));
        expect((await mgmt(t, 'GET', '/companies/445566')).raw).toBe(before.raw);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('missing or invalid status: 422 The company status is invalid.; unknown Company 404', async () => {
      await withApp(async (t) => {
        for (const body of [{}, { companyStatus: null }, { companyStatus: 4 }, { companyStatus: -1 }, { companyStatus: 'x' }, { companyStatus: 1.5 }, { status: 1 }]) {
          expectBody(await mgmt(t, 'PUT', '/companies/334455/status', { body }), 422, companyInvalid('The company status is invalid.'));
        }
        // a body that is not an object (§14 #20)
        expectBody(await mgmt(t, 'PUT', '/companies/334455/status', { body: [1] }), 422, companyInvalid('The request body is invalid.'));
        expect((await detail(t, 334455)).companyStatus).toBe(0);
        for (const id of ['999999', ...MALFORMED_IDS, String(OTHER_SEED.id)]) {
          expectBody(await mgmt(t, 'PUT', `/companies/${id}/status`, { body: { companyStatus: 1 } }), 404, NOT_FOUND);
        }
      });
    });
  });

  // ---------------------------------------------------------------- POST /companies/bulk (§5.8)
  describe('POST /companies/bulk', () => {
    it('10 Companies: meta is the array of {companyId} in input order, data.id a string; each Company and admin exists; events recorded', async () => {
      await withApp(async (t) => {
        await clearWorldEvents(t);
        const items = Array.from({ length: 10 }, (_, i) => newCompany(`B${i}`));
        (items[3] as Json).extraFields = { fieldName: 'Tax Code', fieldValue: 'H' }; // documented as an object
        (items[4] as Json).extraFields = [{ fieldName: 'Region', fieldValue: 'Bulk' }];
        (items[5] as Json).customerGroupId = 4;
        (items[6] as Json).acceptWelcomeEmail = true;
        const res = await mgmt(t, 'POST', '/companies/bulk', { body: items });
        expect(res.status, res.raw).toBe(200);
        const meta = res.body.meta as { companyId: number }[];
        expect(Array.isArray(meta)).toBe(true);
        expect(meta).toHaveLength(10);
        expect(typeof res.body.data.id).toBe('string');
        expect(res.body.data.id.length).toBeGreaterThan(0);
        expectBody(res, 200, { code: 200, meta: meta.map((m) => ({ companyId: m.companyId })), data: { id: res.body.data.id } });
        expect(new Set(meta.map((m) => m.companyId)).size).toBe(10);
        for (const [i, { companyId }] of meta.entries()) {
          expect(Number.isInteger(companyId)).toBe(true);
          const read = await detail(t, companyId);
          expect(read).toMatchObject({ companyName: `Curie Labs B${i}`, companyStatus: 1, parentCompany: {} });
          const users = await companyUsers(t, companyId);
          expect(users.map((u) => [u.email, u.role])).toEqual([[`adaB${i}@curielabs.example`, 0]]);
        }
        expect((await detail(t, meta[3]?.companyId as number)).extraFields).toEqual(companyExtraFieldsOut([{ fieldName: 'Tax Code', fieldValue: 'H' }]));
        expect((await detail(t, meta[4]?.companyId as number)).extraFields).toEqual(companyExtraFieldsOut([{ fieldName: 'Region', fieldValue: 'Bulk' }]));
        expect((await detail(t, meta[5]?.companyId as number)).bcGroupId).toBe('4');
        // no webhook, but the emulator journal records what changed (§11)
        const events = await worldEvents(t, 'company');
        expect(events.filter((e) => e.type === 'company.created').map((e) => e.subject.companyId)).toEqual(meta.map((m) => m.companyId));
        expect(events.filter((e) => e.type === 'company.user.created').map((e) => e.subject.companyId)).toEqual(meta.map((m) => m.companyId));
        expect(events).toHaveLength(20);
      });
    });

    it('11 items: 413 with the ERROR_413 body, nothing created; not a list or []: 422 Company was not valid. with errors []', async () => {
      await withApp(async (t) => {
        const eleven = Array.from({ length: 11 }, (_, i) => newCompany(`C${i}`));
        expectBody(await mgmt(t, 'POST', '/companies/bulk', { body: eleven }), 413, BULK_TOO_LARGE);
        // the size is checked before the items
        expectBody(await mgmt(t, 'POST', '/companies/bulk', { body: Array.from({ length: 11 }, () => ({})) }), 413, BULK_TOO_LARGE);
        for (const body of [[], {}, newCompany('D'), 'x', 5]) expectBody(await mgmt(t, 'POST', '/companies/bulk', { body }), 422, bulkInvalid([]));
        expect(await ids(t)).toEqual(DEFAULT_ORDER);
      });
    });

    it('item errors list every failing item (id = index, first failing rule each); all-or-nothing', async () => {
      await withApp(async (t) => {
        await clearWorldEvents(t);
        const items = [
          newCompany('E0'),
          without(newCompany('E1'), 'companyName'),
          newCompany('E2'),
          { ...newCompany('E3'), companyEmail: 'bad', adminEmail: 'worse' },
          { ...newCompany('E4'), adminEmail: USERS.senior.email },
          { ...newCompany('E5'), channelIds: [77] },
        ];
        expectBody(
          await mgmt(t, 'POST', '/companies/bulk', { body: items }),
          422,
          bulkInvalid([
            { id: '1', _detail: 'The company name is required.' },
            { id: '3', _detail: 'The company email is invalid.' },
            { id: '5', _detail: 'The channel 77 does not exist.' },
          ]),
        );
        expect(await ids(t)).toEqual(DEFAULT_ORDER);
        expect(await worldEvents(t, 'company')).toEqual([]);
      });
    });

    it('admin e-mails taken in the store or repeated in the batch: 409 conflict listing each, nothing created', async () => {
      await withApp(async (t) => {
        const items = [
          newCompany('F0'),
          { ...newCompany('F1'), adminEmail: 'P.Curie@greatbuys.com' },
          { ...newCompany('F2'), adminEmail: 'ada.same@curielabs.example' },
          { ...newCompany('F3'), adminEmail: 'ada.same@curielabs.example' },
        ];
        expectBody(
          await mgmt(t, 'POST', '/companies/bulk', { body: items }),
          409,
          bulkConflict([
            { id: '1', _detail: "Email already exists. ['P.Curie@greatbuys.com']" },
            { id: '3', _detail: "Email already exists. ['ada.same@curielabs.example']" },
          ]),
        );
        expect(await ids(t, { q: 'Curie Labs' })).toEqual([]);
        expect((await mgmt(t, 'GET', '/users', { query: { email: 'ada.same@curielabs.example' } })).body.data).toEqual([]);
        // a validation failure wins over a conflict
        expectBody(
          await mgmt(t, 'POST', '/companies/bulk', { body: [{ ...newCompany('G0'), adminEmail: USERS.senior.email }, without(newCompany('G1'), 'country')] }),
          422,
          bulkInvalid([{ id: '1', _detail: 'The country is required.' }]),
        );
        expect(await ids(t, { q: 'Curie Labs' })).toEqual([]);
      });
    });
  });

  // ---------------------------------------------------------------- PUT /companies/bulk (§5.9)
  describe('PUT /companies/bulk', () => {
    it('a list or a single object; 200 data {}; each changed Company updated and reported once', async () => {
      await withApp(async (t) => {
        await clearWorldEvents(t);
        t.clock.advance(5_000);
        const res = await mgmt(t, 'PUT', '/companies/bulk', {
          body: [
            { companyId: 123456, companyPhone: '555-2000' },
            { companyId: '223344', city: 'Paris', extraFields: [{ fieldName: 'Region', fieldValue: 'Centre' }] },
            { companyId: 334455 }, // nothing to change
          ],
        });
        expectBody(res, 200, companyOk({}));
        expect(await detail(t, 123456)).toMatchObject({ companyPhone: '555-2000', companyName: 'Great Buys', updatedAt: String(NOW_S + 5) });
        const rival = await detail(t, 223344);
        expect(rival).toMatchObject({ city: 'Paris', companyEmail: 'hello@rival.example', updatedAt: String(NOW_S + 5) });
        expect(rival.extraFields).toEqual(companyExtraFieldsOut([{ fieldName: 'Tax Code', fieldValue: 'H' }, { fieldName: 'Region', fieldValue: 'Centre' }]));
        expect((await detail(t, 334455)).updatedAt).toBe(String(unix(SEEDS.pending.updatedAt)));
        expect((await worldEvents(t, 'company')).map((e) => [e.type, e.subject.companyId])).toEqual([
          ['company.updated', 123456],
          ['company.updated', 223344],
        ]);
        expectBody(await mgmt(t, 'PUT', '/companies/bulk', { body: { companyId: 123457, city: 'Lyon' } }), 200, companyOk({}));
        expect((await detail(t, 123457)).city).toBe('Lyon');
      });
    });

    it('an unknown (or other-store) companyId: 404 for the whole batch; field errors: 422 with id = companyId; all-or-nothing; > 10: 413', async () => {
      await withApp(async (t) => {
        const before = await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: 1 } });
        for (const stranger of [999999, OTHER_SEED.id]) {
          expectBody(
            await mgmt(t, 'PUT', '/companies/bulk', { body: [{ companyId: 123456, companyPhone: '1' }, { companyId: stranger, city: 'Nowhere' }] }),
            404,
            NOT_FOUND,
          );
        }
        expectBody(
          await mgmt(t, 'PUT', '/companies/bulk', {
            body: [
              { companyId: 123456, companyName: '' },
              { companyId: 123457, city: 'Fine' },
              { companyId: 223344, companyEmail: 'broken' },
            ],
          }),
          422,
          bulkInvalid([
            { id: '123456', _detail: 'The company name is required.' },
            { id: '223344', _detail: 'The company email is invalid.' },
          ]),
        );
        const eleven = Array.from({ length: 11 }, () => ({ companyId: 123456, city: 'Many' }));
        expectBody(await mgmt(t, 'PUT', '/companies/bulk', { body: eleven }), 413, BULK_TOO_LARGE);
        expect((await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: 1 } })).raw).toBe(before.raw);
      });
    });
  });

  // ---------------------------------------------------------------- Company extra-field rules (§8) with a required, unique field
  describe('declared Company extra-field rules', () => {
    const ACCOUNT_NO = { fieldName: 'Account No', fieldType: 2, isRequired: true, isUnique: true, visibleToEnduser: true, maximumValue: '99999' };
    const withAccountNo = () =>
      companiesFixture(({ main }) => {
        main.companyExtraFields = [...COMPANY_EXTRA_FIELDS, ACCOUNT_NO];
        for (const [i, company] of (main.companies as Json[]).entries()) {
          company.extraFields = [...((company.extraFields as ExtraFieldValue[] | undefined) ?? []), { fieldName: 'Account No', fieldValue: String(i + 1) }];
        }
      });

    it('required, unique, number and maximum value on create and update; numbers stored as strings', async () => {
      await withApp(
        async (t) => {
          const withNo = (value: unknown) => ({ ...newCompany('H'), extraFields: [{ fieldName: 'Account No', fieldValue: value }] });
          expectBody(await mgmt(t, 'POST', '/companies', { body: newCompany('H') }), 422, companyInvalid('The extra field "Account No" is required.'));
          expectBody(await mgmt(t, 'POST', '/companies', { body: withNo('') }), 422, companyInvalid('The extra field "Account No" is required.'));
          expectBody(await mgmt(t, 'POST', '/companies', { body: withNo('3') }), 422, companyInvalid('The value of extra field "Account No" must be unique.'));
          expectBody(await mgmt(t, 'POST', '/companies', { body: withNo('abc') }), 422, companyInvalid('The value of extra field "Account No" is invalid.'));
          expectBody(await mgmt(t, 'POST', '/companies', { body: withNo('100000') }), 422, companyInvalid('The value of extra field "Account No" is invalid.'));
          const created = await mgmt(t, 'POST', '/companies', { body: withNo(777) });
          expect(created.status, created.raw).toBe(200);
          const read = await detail(t, created.body.data.companyId);
          expect(read.extraFields).toEqual([{ fieldName: 'Account No', fieldValue: '777', labelName: 'Account No', isRequired: '1', dataType: '2', fieldType: 2 }]);
          // update: "" clears a required field → refused; another Company's value → refused; its own value → fine
          const put = (value: string) => mgmt(t, 'PUT', '/companies/123456', { body: { extraFields: [{ fieldName: 'Account No', fieldValue: value }] } });
          expectBody(await put(''), 422, companyInvalid('The extra field "Account No" is required.'));
          expectBody(await put('777'), 422, companyInvalid('The value of extra field "Account No" must be unique.'));
          const own = (await detail(t, 123456)).extraFields.find((f: Json) => f.fieldName === 'Account No').fieldValue;
          expectBody(await put(own), 200, companyOk({ companyId: 123456 }));
          expectBody(await put('4242'), 200, companyOk({ companyId: 123456 }));
          expect(await ids(t, { extraFields: 'Account No:4242', extraFieldFilterType: 'exact-match' })).toEqual([123456]);
        },
        { fixture: withAccountNo() },
      );
    });
  });

  describe('Company extra-field order', () => {
    it('extraFields of a Company come in config order, then by name (as §4.1), whatever order they were sent or stored in', async () => {
      await withApp(async (t) => {
        const created = await mgmt(t, 'POST', '/companies', {
          body: { ...newCompany('O'), extraFields: [{ fieldName: 'Region', fieldValue: 'West' }, { fieldName: 'Tax Code', fieldValue: 'H' }] },
        });
        expect(created.status, created.raw).toBe(200);
        const id = created.body.data.companyId;
        const inOrder = companyExtraFieldsOut([{ fieldName: 'Tax Code', fieldValue: 'H' }, { fieldName: 'Region', fieldValue: 'West' }]);
        expect(JSON.stringify((await detail(t, id)).extraFields)).toBe(JSON.stringify(inOrder));
        expect((await mgmt(t, 'GET', '/companies', { query: { q: 'Curie Labs O', isIncludeExtraFields: 1 } })).body.data[0].extraFields).toEqual(inOrder);
        // a field added by PUT takes its config place, not the end
        const put = await mgmt(t, 'PUT', '/companies/445566', { body: { extraFields: [{ fieldName: 'Tax Code', fieldValue: 'G' }] } });
        expect(put.status, put.raw).toBe(200);
        expect((await detail(t, 445566)).extraFields).toEqual(companyExtraFieldsOut([{ fieldName: 'Tax Code', fieldValue: 'G' }, { fieldName: 'Region', fieldValue: 'North' }]));
        // with no declared configs (the other store), by name
        const other = await mgmt(t, 'POST', '/companies', {
          token: TOKENS.other,
          body: { ...newCompany('P'), extraFields: [{ fieldName: 'Zeta', fieldValue: 'z' }, { fieldName: 'Alpha', fieldValue: 'a' }] },
        });
        expect(other.status, other.raw).toBe(200);
        const read = await mgmt(t, 'GET', `/companies/${other.body.data.companyId}`, { token: TOKENS.other });
        expect(read.body.data.extraFields.map((f: Json) => f.fieldName)).toEqual(['Alpha', 'Zeta']);
      });
    });
  });

  // ---------------------------------------------------------------- roles and permissions (§7)
  describe('roles and permissions', () => {
    const withGroupManager = () => companiesFixture(({ main }) => (main.roles as Json[]).push(GROUP_MANAGER));

    it('GET /companies/roles: predefined 0, 1, 2 then custom roles by id; q is a case-insensitive name substring; paging', async () => {
      await withApp(
        async (t) => {
          expectBody(await mgmt(t, 'GET', '/companies/roles'), 200, companyList(ROLE_LIST, { totalCount: 6, limit: 10, offset: 0 }));
          expectBody(await mgmt(t, 'GET', '/companies/roles', { query: { q: 'BUYER' } }), 200, companyList(ROLE_LIST.slice(1, 3), { totalCount: 2, limit: 10, offset: 0 }));
          expectBody(await mgmt(t, 'GET', '/companies/roles', { query: { q: 'manager' } }), 200, companyList([ROLE_LIST[3], ROLE_LIST[5]], { totalCount: 2, limit: 10, offset: 0 }));
          expectBody(await mgmt(t, 'GET', '/companies/roles', { query: { q: 'nobody' } }), 200, companyList([], { totalCount: 0, limit: 10, offset: 0 }));
          expectBody(await mgmt(t, 'GET', '/companies/roles', { query: { limit: 2, offset: 1 } }), 200, companyList(ROLE_LIST.slice(1, 3), { totalCount: 6, limit: 2, offset: 1 }));
          expectBody(await mgmt(t, 'GET', '/companies/roles', { query: { limit: 0, offset: -2 } }), 200, companyList(ROLE_LIST, { totalCount: 6, limit: 10, offset: 0 }));
          // a store without custom roles lists the predefined ones only
          expectBody(await mgmt(t, 'GET', '/companies/roles', { token: TOKENS.other }), 200, companyList(ROLE_LIST.slice(0, 3), { totalCount: 3, limit: 10, offset: 0 }));
        },
        { fixture: withGroupManager() },
      );
    });

    it('GET /companies/roles/{roleId}: predefined permissions exactly as §7.2 (39 / 24 / 17), custom roles as stored; 404 otherwise', async () => {
      await withApp(
        async (t) => {
          const roleDetail = (id: number, name: string, roleType: number, permissions: Json[]) => companyOk({ id, name, roleType, roleLevel: 1, permissions });
          const admin = rolePermissions(ADMIN_LEVELS);
          const senior = rolePermissions(SENIOR_LEVELS);
          const junior = rolePermissions(JUNIOR_LEVELS);
          expect([admin.length, senior.length, junior.length]).toEqual([39, 24, 17]);
          expectBody(await mgmt(t, 'GET', '/companies/roles/0'), 200, roleDetail(0, 'Admin', 1, admin));
          expectBody(await mgmt(t, 'GET', '/companies/roles/1'), 200, roleDetail(1, 'Senior Buyer', 1, senior));
          expectBody(await mgmt(t, 'GET', '/companies/roles/2'), 200, roleDetail(2, 'Junior Buyer', 1, junior));
          expectBody(
            await mgmt(t, 'GET', '/companies/roles/5'),
            200,
            roleDetail(5, 'User Manager', 2, rolePermissions({ get_users: 2, get_user_detail: 2, create_user: 2, update_user: 2 })),
          );
          expectBody(await mgmt(t, 'GET', '/companies/roles/6'), 200, roleDetail(6, 'Order Viewer', 2, rolePermissions({ get_orders: 1 })));
          expectBody(
            await mgmt(t, 'GET', '/companies/roles/9'),
            200,
            roleDetail(9, 'Group Manager', 2, rolePermissions({ get_users: 3, get_company_subsidiaries: 3 })),
          );
          expectBody(await mgmt(t, 'GET', '/companies/roles/002'), 200, roleDetail(2, 'Junior Buyer', 1, junior));
          for (const id of ['3', '4', '99', ...MALFORMED_IDS]) expectBody(await mgmt(t, 'GET', `/companies/roles/${id}`), 404, NOT_FOUND);
          // custom roles of a store are invisible to another
          expectBody(await mgmt(t, 'GET', '/companies/roles/5', { token: TOKENS.other }), 404, NOT_FOUND);
        },
        { fixture: withGroupManager() },
      );
    });

    it('GET /companies/permissions: the 40 predefined permissions by id, q filters names, no paging', async () => {
      await withApp(async (t) => {
        const all = PERMISSIONS.map(permissionItem);
        const res = await mgmt(t, 'GET', '/companies/permissions');
        expectBody(res, 200, companyOk(all));
        expect(res.body.data).toHaveLength(40);
        expect(res.body.data[0]).toEqual({ id: 1, name: 'Get addresses', description: 'Get addresses', code: 'get_addresses', isCustom: false, moduleName: 'address' });
        expect(res.body.meta).not.toHaveProperty('pagination');
        expectBody(await mgmt(t, 'GET', '/companies/permissions', { query: { q: 'shopping' } }), 200, companyOk(all.filter((p) => p.id >= 22 && p.id <= 32)));
        expectBody(await mgmt(t, 'GET', '/companies/permissions', { query: { q: 'PDF' } }), 200, companyOk(all.filter((p) => p.id === 11 || p.id === 21)));
        expectBody(await mgmt(t, 'GET', '/companies/permissions', { query: { q: 'purchase enable' } }), 200, companyOk([all[38]]));
        expectBody(await mgmt(t, 'GET', '/companies/permissions', { query: { q: 'zzz' } }), 200, companyOk([]));
        expectBody(await mgmt(t, 'GET', '/companies/permissions', { query: { limit: 2, offset: 5 } }), 200, companyOk(all));
        expect((await mgmt(t, 'GET', '/companies/permissions', { token: TOKENS.other })).raw).toBe(res.raw);
      });
    });
  });

  // ---------------------------------------------------------------- isolation (§2.1, §3.5)
  describe('store isolation', () => {
    it("the other store's token never sees or changes this store's Companies: 404 identical to a Company that does not exist", async () => {
      await withApp(async (t) => {
        const other = { token: TOKENS.other };
        expectBody(await mgmt(t, 'GET', '/companies', other), 200, companyList([companyObject(OTHER_SEED, { configs: [] })], { totalCount: 1, limit: 10, offset: 0 }));
        expect(await ids(t, { customerId: USERS.senior.bcId }, TOKENS.other)).toEqual([]);
        expect(await ids(t, { q: 'Great' }, TOKENS.other)).toEqual([]);
        const before = await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: 1 } });
        const missing = await mgmt(t, 'GET', '/companies/999999', other);
        expectBody(missing, 404, NOT_FOUND);
        const probes: [string, string, unknown][] = [
          ['GET', '/companies/123456', undefined],
          ['PUT', '/companies/123456', { companyName: 'Taken Over' }],
          ['PUT', '/companies/123456/status', { companyStatus: 3 }],
          ['DELETE', '/companies/123456', undefined],
          ['PUT', '/companies/bulk', [{ companyId: 123456, city: 'Elsewhere' }]],
        ];
        for (const [method, path, body] of probes) {
          const res = await mgmt(t, method as 'GET', path, { ...other, ...(body !== undefined ? { body } : {}) });
          expect(res.status, `${method} ${path}`).toBe(404);
          expect(res.raw, `${method} ${path}`).toBe(missing.raw);
        }
        expect((await mgmt(t, 'GET', '/companies', { query: { isIncludeExtraFields: 1 } })).raw).toBe(before.raw);
        // and the other way round
        expectBody(await mgmt(t, 'GET', `/companies/${OTHER_SEED.id}`), 404, NOT_FOUND);
        // stores never conflict on admin e-mails: the other store may use this store's e-mails
        const created = await mgmt(t, 'POST', '/companies', { ...other, body: { ...newCompany('I'), adminEmail: USERS.senior.email } });
        expect(created.status, created.raw).toBe(200);
        expect(await ids(t)).toEqual(DEFAULT_ORDER);
        expect(await ids(t, {}, TOKENS.other)).toEqual([created.body.data.companyId, OTHER_SEED.id]);
        expect((await mgmt(t, 'GET', '/users', { query: { companyId: created.body.data.companyId } })).body.data).toEqual([]);
      });
    });
  });

  // ---------------------------------------------------------------- the provisioning flow (#18)
  describe('provisioning flow', () => {
    it('create a Company, approve it, bulk-create its users, get a storefront token by route D, list the users on the storefront', async () => {
      await withApp(async (t) => {
        // 1. the Company and its admin
        const created = await mgmt(t, 'POST', '/companies', {
          body: { ...newCompany('Flow'), companyName: 'Flow Industries', adminEmail: 'founder@flow.example', adminFirstName: 'Flo', adminLastName: 'Founder' },
        });
        expect(created.status, created.raw).toBe(200);
        const { companyId, customerId: founderCustomerId } = created.body.data;
        expect(await ids(t, { q: 'flow', companyStatus: 1 })).toEqual([companyId]);
        // 2. approve (already approved: 200 all the same)
        expectBody(await mgmt(t, 'PUT', `/companies/${companyId}/status`, { body: { companyStatus: 1 } }), 200, companyOk({ companyId }));
        // 3. users in bulk: an Admin by role, a Junior Buyer by companyRoleId (as the Postman lab does)
        const bulk = await mgmt(t, 'POST', '/users/bulk', {
          body: [
            { firstName: 'Ann', lastName: 'Admin', email: 'ann@flow.example', companyId, role: 0, channelIds: [1] },
            { firstName: 'Jim', lastName: 'Junior', email: 'jim@flow.example', companyId, companyRoleId: 2, channelIds: [1] },
          ],
        });
        expect(bulk.status, bulk.raw).toBe(200);
        const [ann, jim] = bulk.body.data as { userId: number; bcId: number }[];
        if (!ann || !jim) throw new Error(bulk.raw);
        expectBody(bulk, 200, usersOk([{ userId: ann.userId, bcId: ann.bcId }, { userId: jim.userId, bcId: jim.bcId }]));
        const users = await companyUsers(t, companyId);
        expect(users.map((u) => [u.email, u.role, u.companyRoleName])).toEqual([
          ['jim@flow.example', 2, 'Junior Buyer'],
          ['ann@flow.example', 0, 'Admin'],
          ['founder@flow.example', 0, 'Admin'],
        ]);
        const founder = users[2] as Json;
        expect(founder.customerId).toBe(founderCustomerId);
        // 4. no password: credentials sign-in is refused; route D issues a storefront token for the customer
        expect((await signInStorefront(t, 'ann@flow.example')).status).toBe(400);
        const routeD = await mgmt(t, 'POST', '/api/io/auth/customers/storefront', { body: { customerId: ann.bcId, channelId: 1 } });
        expect(routeD.status, routeD.raw).toBe(200);
        expect(routeD.body).toEqual({ code: 200, data: { token: [expect.any(String)] }, meta: { message: 'SUCCESS' } });
        const token = routeD.body.data.token[0] as string;
        // 5. the storefront lists the Company's users, newest first, ids as strings
        const list = await storefront(t, token, 'GET', '/api/v2/users');
        expect(list.status, list.raw).toBe(200);
        expect(list.body.data.pagination).toEqual({ totalCount: 3, offset: 0, limit: 10 });
        expect(list.body.data.list.map((u: Json) => [u.id, u.email, u.role])).toEqual([
          [String(jim.userId), 'jim@flow.example', '2'],
          [String(ann.userId), 'ann@flow.example', '0'],
          [String(founder.id), 'founder@flow.example', '0'],
        ]);
        // suspending the Company refuses the same token at once; approving restores it
        expect((await mgmt(t, 'PUT', `/companies/${companyId}/status`, { body: { companyStatus: 3 } })).status).toBe(200);
        expectBody(await storefront(t, token, 'GET', '/api/v2/users'), 403, storefrontForbidden);
        expect((await mgmt(t, 'PUT', `/companies/${companyId}/status`, { body: { companyStatus: 1 } })).status).toBe(200);
        expect((await storefront(t, token, 'GET', '/api/v2/users')).status).toBe(200);
        // route D never issues a token for another store's customer
        const stranger = await mgmt(t, 'POST', '/api/io/auth/customers/storefront', { body: { customerId: 950, channelId: 1 } });
        expect(stranger.status).toBe(404);
        expect(stranger.body).toEqual({ code: 404, data: { errMsg: 'Customer does not exist.' }, meta: { message: 'Not Found Error' } });
      });
    });
  });
});
