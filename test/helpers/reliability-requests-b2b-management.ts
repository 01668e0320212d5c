import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { COMPANIES, CUSTOM_ROLES, MGMT_BASE, OTHER_STORE, OTHER_USERS, STORE, SUPER_ADMIN, TOKENS, USERS } from './management-support.js';
import type { FuzzRequest } from './reliability-fuzz.js';
import { fail, jsonOf } from './reliability-fuzz.js';
import {
  badTokens,
  deepJson,
  encodeSegment,
  family,
  headerSafe,
  hostileJsonValue,
  hostileNumericString,
  hostileString,
  invalidJsonText,
  oddContentType,
  rawPercentSegments,
} from './reliability-generators.js';
import { secretsIn } from './reliability-secrets.js';

/**
 * Malformed and hostile requests for the B2B Management API v3 (b2b-management-rest.md), generated
 * by class over the routes the server itself publishes (`GET /api/v3/io/openapi.json`): a route
 * added there is fuzzed without touching this file, and `bodyClassOf` fails loudly for a new
 * POST/PUT route until its body class is described here.
 *
 * Every generated write must be refused, so a fuzz run can prove that nothing changed:
 *  - callers that cannot write (read-only or scope-less tokens, another store's hash, account
 *    tokens, storefront JWTs, bad or absent credentials) send anything, valid bodies included;
 *  - callers that can write send bodies with at least one fatal defect of their route's class
 *    (a required field missing, null, blank, of a wrong type, too long, an invalid e-mail, an
 *    unknown Company, role or channel, an invalid status or parent), bulk arrays with at least one
 *    such item or more than ten items, or bodies that are not JSON at all;
 *  - DELETEs and hierarchy changes only name what may not be deleted or moved (ids that do not
 *    exist or are malformed, the last user of a Company, a Super Admin, other stores' rows, a
 *    parent that is the Company itself or below it);
 *  - another store's token sends valid bodies to this store's ids (BOLA): 404, never a write.
 * The world is `managementFixture()` (test/helpers/management-support.ts).
 */

export interface ManagementRouteClass {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** under /api/v3/io, OpenAPI syntax: `/users/{userId}` */
  template: string;
  params: string[];
  operationId: string;
  family: 'users' | 'companies' | 'hierarchy';
  /** the request body the route reads (from the document's requestBody schema) */
  body: 'object' | 'array' | undefined;
}

const FAMILY_OF_TAG: Record<string, ManagementRouteClass['family']> = { Users: 'users', Companies: 'companies', 'Account hierarchy': 'hierarchy' };

/** Every route the server publishes in its own OpenAPI document, by class. */
export async function managementRoutes(app: FastifyInstance): Promise<ManagementRouteClass[]> {
  const res = await app.inject({ method: 'GET', url: `${MGMT_BASE}/openapi.json` });
  if (res.statusCode !== 200) throw new Error(`GET ${MGMT_BASE}/openapi.json: ${res.statusCode}`);
  const document = res.json() as { paths: Record<string, Record<string, { operationId: string; tags?: string[]; requestBody?: { content: Record<string, { schema: { type: string } }> } }>> };
  const out: ManagementRouteClass[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    const template = path.slice(MGMT_BASE.length);
    for (const [method, operation] of Object.entries(operations)) {
      const schema = operation.requestBody?.content['application/json']?.schema.type;
      out.push({
        method: method.toUpperCase() as ManagementRouteClass['method'],
        template,
        params: [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] as string),
        operationId: operation.operationId,
        family: FAMILY_OF_TAG[operation.tags?.[0] ?? ''] ?? 'users',
        body: schema === 'array' ? 'array' : schema === 'object' ? 'object' : undefined,
      });
    }
  }
  if (out.length < 20) throw new Error(`the Management OpenAPI document lists only ${out.length} operations`);
  return out;
}

export function routeLabel(route: Pick<ManagementRouteClass, 'method' | 'template'>): string {
  return `${route.method} ${route.template}`;
}

/** The URL of a route with its path parameters filled in (values percent-encoded). */
export function managementUrl(route: Pick<ManagementRouteClass, 'template'>, values: Record<string, string>, query = ''): string {
  return `${MGMT_BASE}${route.template.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => encodeSegment(values[name] ?? ''))}${query}`;
}

// ---------------------------------------------------------------------------------------------
// the world's ids (managementFixture)

const STORE_COMPANY_IDS = [COMPANIES.greatBuys.id, COMPANIES.greatBuysWest.id, COMPANIES.rival.id, COMPANIES.pending.id, COMPANIES.rejected.id, COMPANIES.inactive.id];
const ALL_COMPANY_IDS = new Set<number>([...STORE_COMPANY_IDS, COMPANIES.other.id]);
const STORE_USER_IDS = Object.values(USERS).map((u) => u.id);
const STORE_CUSTOMER_IDS = Object.values(USERS).map((u) => u.bcId);
/** users a DELETE would remove: every one of a Company with two or more users (either store) */
const DELETABLE_USER_IDS = new Set<number>([USERS.admin.id, USERS.senior.id, USERS.junior.id, USERS.userManager.id, USERS.rejectedSenior.id, USERS.rejectedViewer.id, OTHER_USERS.admin.id, OTHER_USERS.sameEmail.id]);
/** [parent, child] pairs of the fixture's hierarchy: detaching them is a write */
const PARENT_OF = new Map<number, number>([[COMPANIES.greatBuysWest.id, COMPANIES.greatBuys.id]]);
const ROLE_IDS = [0, 1, 2, CUSTOM_ROLES.userManager.id, CUSTOM_ROLES.orderViewer.id];
/** channels of no store of the fixture */
const UNKNOWN_CHANNELS = [0, 2, 7, 99, 1000235, 2147483647];

/** Every integer a lenient reader could make of `value`: as a number, trimmed, or by a prefix parse. */
function readings(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (typeof value !== 'string') return [];
  const t = value.trim();
  return [Number(t), Number.parseInt(t, 10), Number.parseInt(t.replace(/^\+/, ''), 10)].filter((n) => Number.isFinite(n));
}

const readsAs = (value: unknown, ids: ReadonlySet<number> | readonly number[]) => {
  const set = ids instanceof Set ? ids : new Set(ids as readonly number[]);
  return readings(value).some((n) => set.has(n));
};

/** Id texts for path parameters: real ids of both stores, unknown, huge, malformed, hostile. */
const idText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...[...STORE_USER_IDS, ...STORE_CUSTOMER_IDS, ...STORE_COMPANY_IDS, ...ROLE_IDS, SUPER_ADMIN.id, SUPER_ADMIN.bcId, OTHER_USERS.admin.id, OTHER_USERS.admin.bcId, COMPANIES.other.id].map(String)) },
  { weight: 2, arbitrary: fc.constantFrom('0', '00124', '0123456', '999999', '2147483647', '2147483648', '9007199254740991', '9007199254740992', '99999999999999999999', '-1', '1e3', '124abc', '124.0', ' 124', '１２４', '%20') },
  { weight: 2, arbitrary: hostileNumericString },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 10_000_000 }).map(String) },
  { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 300) },
);

/** A path id that never names one of `ids` (however it is read). */
const idTextNot = (ids: ReadonlySet<number>) => idText.filter((text) => !readsAs(text, ids));

// ---------------------------------------------------------------------------------------------
// callers

export interface ManagementCallers {
  /** a storefront JWT of a Great Buys user (never opens this API) */
  storefrontJwt: string;
}

type Headers = Record<string, string>;
const modify: Headers = { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE };
const legacy: Headers = { authtoken: TOKENS.legacy };
const legacyWithHash: Headers = { authtoken: TOKENS.legacy, 'x-store-hash': STORE };
const other: Headers = { 'x-auth-token': TOKENS.other, 'x-store-hash': OTHER_STORE };

/** Callers that may write in STORE. */
const writers: fc.Arbitrary<Headers> = fc.constantFrom(modify, legacy, legacyWithHash, { ...modify, authtoken: 'ignored-when-x-auth-token-is-sent' });

/** Callers that may not write anywhere through this API (every one is 401 or 403 on a write). */
function nonWriters(callers: ManagementCallers): fc.Arbitrary<Headers> {
  return fc.oneof(
    fc.constantFrom<Headers>(
      { 'x-auth-token': TOKENS.read, 'x-store-hash': STORE },
      { 'x-auth-token': TOKENS.none, 'x-store-hash': STORE },
      { 'x-auth-token': TOKENS.modify },
      { 'x-auth-token': TOKENS.modify, 'x-store-hash': OTHER_STORE },
      { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE.toUpperCase() },
      { 'x-auth-token': TOKENS.modify, 'x-store-hash': '' },
      { 'x-auth-token': TOKENS.other, 'x-store-hash': STORE },
      { authtoken: TOKENS.legacy, 'x-store-hash': OTHER_STORE },
      { 'x-auth-token': TOKENS.account, 'x-store-hash': STORE },
      { 'x-auth-token': TOKENS.accountRead, 'x-store-hash': STORE },
      { authtoken: TOKENS.account },
      { authorization: `Bearer ${TOKENS.modify}` },
      { authorization: `Bearer ${TOKENS.legacy}` },
      { authorization: `Bearer ${callers.storefrontJwt}` },
      { authtoken: callers.storefrontJwt },
      { 'x-auth-token': callers.storefrontJwt, 'x-store-hash': STORE },
      { authorization: 'Bearer' },
      {},
    ),
    fc
      .tuple(badTokens, fc.constantFrom('x-auth-token', 'authtoken', 'authorization'), fc.option(fc.constantFrom(STORE, OTHER_STORE), { nil: undefined }))
      .map(([token, header, hash]) => ({ [header]: header === 'authorization' ? `Bearer ${headerSafe(token)}` : headerSafe(token), ...(hash !== undefined ? { 'x-store-hash': hash } : {}) })),
  );
}

// ---------------------------------------------------------------------------------------------
// body classes

type Body = Record<string, unknown>;
type Defect = (body: Body) => void;

let serial = 0;
/** an e-mail no fixture person has, different on each call */
export const freshEmail = (tag: string) => `${tag}.${(serial += 1)}@example.org`;

const tooLong = (min: number) => fc.integer({ min, max: min + 2_000 }).map((n) => 'l'.repeat(n));
const wrongTypes = fc.constantFrom<unknown>(true, false, [], {}, ['x'], { value: 'x' }, [1, 2]);
const blank = fc.constantFrom('', ' ', '   ', '\t', '\n', '\u00a0 '.trim());
const invalidEmail = fc.oneof(
  fc.constantFrom('plainaddress', '@example.com', 'a@', 'a b@example.com', 'a@b', 'a@@b.org', 'a@b..org', '<a>@b.org', 'a@-example.com', '.a@b.org'),
  hostileString.filter((s) => !s.includes('@') && s.trim() !== ''),
);
/** JSON values no lenient reading can take for an integer in [min, max] */
const notIntegerIn = (min: number, max: number) =>
  fc.oneof(wrongTypes, hostileJsonValue, hostileNumericString, fc.constantFrom<unknown>(-1, 1.5, 'abc', '', ' ', 'NaN', 4, 99, '-0.5')).filter(
    (v) => v !== null && v !== undefined && !readings(v).some((n) => Number.isInteger(n) && n >= min && n <= max),
  );
const notBoolean = fc.oneof(fc.constantFrom<unknown>('yes', 'no', 2, -1, 'TRUE ', 'on', [], {}, [true]), hostileString.filter((s) => !['true', 'false', '1', '0'].includes(s.trim().toLowerCase())));

/** a field's value: mostly a good one, sometimes anything */
const anyOr = (good: unknown) => fc.oneof({ weight: 3, arbitrary: fc.constant(good) }, { weight: 2, arbitrary: hostileJsonValue }, { weight: 1, arbitrary: fc.constant(undefined) });

function baseRecord(fields: Record<string, unknown>): fc.Arbitrary<Body> {
  return fc.record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, anyOr(v)]))).map((body) => {
    const out: Body = {};
    for (const [k, v] of Object.entries(body)) if (v !== undefined) out[k] = v;
    return out;
  });
}

const set = (field: string) => (value: unknown): Defect => (body) => {
  body[field] = value;
};
const unset = (...fields: string[]): Defect => (body) => {
  for (const f of fields) delete body[f];
};

/**
 * Refused bodies of a class: a base record (each field good, hostile or absent) with one to three
 * defects, and, as often, a valid body with exactly one defect: hostile values in the other fields
 * would otherwise refuse the body whatever the server makes of the defect under test (a PUT /users
 * with only `email: ".a@b.org"` wrong was accepted, and seen only in one CI run).
 */
function refusedOf(base: fc.Arbitrary<Body>, defects: fc.Arbitrary<Defect>, valid: () => Body): fc.Arbitrary<Body> {
  const apply = ([body, list]: [Body, Defect[]]) => {
    for (const d of list) d(body);
    return body;
  };
  return fc.oneof(
    fc.tuple(base, fc.array(defects, { minLength: 1, maxLength: 3 })).map(apply),
    fc.tuple(fc.constant(undefined).map(valid), defects.map((d) => [d])).map(apply),
  );
}

export interface BodyClass {
  /** every field the spec names for this body (read-only and ignored ones included) */
  fields: readonly string[];
  /** a body every rule accepts; `fresh` e-mails so it would be a new person */
  valid(): Body;
  /** bodies of this class with at least one fatal defect */
  refused: fc.Arbitrary<Body>;
}

// §4.3, §4.10: user create (also each item of POST /users/bulk)
const userCreateValid = (): Body => ({ firstName: 'Fuzz', lastName: 'Tester', email: freshEmail('fuzz.user'), phoneNumber: '', companyId: COMPANIES.greatBuys.id, role: 1, channelIds: [1] });
const nameDefects = (field: string, required: boolean): fc.Arbitrary<Defect>[] => [
  ...(required ? [fc.constant(unset(field)), fc.constant(set(field)(null))] : []),
  blank.map(set(field)),
  wrongTypes.map(set(field)),
  tooLong(151).map(set(field)),
  fc.constant(set(field)('a\u0000b')),
];
const userCreateDefects: fc.Arbitrary<Defect> = fc.oneof(
  ...nameDefects('firstName', true),
  ...nameDefects('lastName', true),
  ...nameDefects('email', true),
  invalidEmail.map(set('email')),
  fc.constant(unset('companyId')),
  fc.constant(set('companyId')(null)),
  notIntegerIn(0, Number.MAX_SAFE_INTEGER).map(set('companyId')),
  fc.constantFrom(0, 999999, 2147483648, COMPANIES.other.id, '999999', String(COMPANIES.other.id)).map(set('companyId')),
  notIntegerIn(0, 2).map((v) => (body: Body) => {
    body.role = v;
    delete body.companyRoleId;
  }),
  fc.constant(unset('role', 'companyRoleId')),
  fc.oneof(notIntegerIn(0, Number.MAX_SAFE_INTEGER), fc.constantFrom(3, 4, 9, 999, 2147483648, '999')).map(set('companyRoleId')),
  fc.oneof(wrongTypes, tooLong(256)).map(set('uuid')),
  fc.oneof(fc.constantFrom<unknown>('1', 1, {}, true, 'x'), hostileString).map(set('channelIds')),
  fc.tuple(fc.constantFrom(...UNKNOWN_CHANNELS), fc.boolean()).map(([c, first]) => set('channelIds')(first ? [c, 1] : [1, c])),
  fc.constant(unset('channelIds')),
  fc.constant(set('channelIds')([])),
  fc.constant(set('channelIds')(null)),
  fc.oneof(notIntegerIn(0, Number.MAX_SAFE_INTEGER), fc.constantFrom(-1, '-5')).map(set('originChannelId')),
  notBoolean.map(set('acceptWelcomeEmail')),
  fc.oneof(fc.constantFrom<unknown>('x', 1, true, { fieldName: 'a' }), hostileString).map(set('extraFields')),
  fc.constantFrom<unknown>([{ fieldValue: 'no name' }], [{ fieldName: '' }], [{ fieldName: 'a', fieldValue: 'v'.repeat(151) }], [1], [null], [[]]).map(set('extraFields')),
);
const userCreateBase = baseRecord({
  firstName: 'Fuzz',
  lastName: 'Tester',
  email: 'fuzz.user@example.org',
  phoneNumber: '',
  companyId: COMPANIES.greatBuys.id,
  role: 1,
  companyRoleId: undefined,
  uuid: 'fuzz-uuid',
  channelIds: [1],
  originChannelId: 1,
  acceptWelcomeEmail: false,
  extraFields: [],
  zzUnknown: 'x',
});
const userCreateRefused = refusedOf(userCreateBase, userCreateDefects, userCreateValid);

// §4.6: user update (partial: the defect is a present key)
const userUpdateValid = (): Body => ({ firstName: 'Fuzz', lastName: 'Tester', email: freshEmail('fuzz.update'), phoneNumber: '', role: 2, channelIds: [1] });
const userUpdateDefects: fc.Arbitrary<Defect> = fc.oneof(
  ...['firstName', 'lastName', 'email'].flatMap((f) => [fc.constant(set(f)(null)), blank.map(set(f)), wrongTypes.map(set(f)), tooLong(151).map(set(f)), fc.constant(set(f)('a\u0000b'))]),
  invalidEmail.map(set('email')),
  fc.oneof(fc.constant<unknown>(null), wrongTypes, tooLong(151)).map(set('phoneNumber')),
  notIntegerIn(0, 2).map((v) => (body: Body) => {
    body.role = v;
    delete body.companyRoleId;
  }),
  fc.constant((body: Body) => {
    body.role = null;
    delete body.companyRoleId;
  }),
  fc.oneof(notIntegerIn(0, Number.MAX_SAFE_INTEGER), fc.constantFrom(3, 9, 999, '999')).map(set('companyRoleId')),
  fc.oneof(fc.constant<unknown>(null), wrongTypes.filter((v) => typeof v !== 'object' || v === null), tooLong(256)).map(set('uuid')),
  fc.oneof(fc.constantFrom<unknown>(null, [], '1', 1, {}, true), fc.constantFrom(...UNKNOWN_CHANNELS).map((c) => [c])).map(set('channelIds')),
  fc.constantFrom<unknown>(null, 'x', 1, true, [{ fieldValue: 'no name' }], [{ fieldName: 'a', fieldValue: 'v'.repeat(151) }], [1]).map(set('extraFields')),
);
const userUpdateBase = baseRecord({
  firstName: 'Fuzz',
  lastName: 'Tester',
  email: 'fuzz.update@example.org',
  phoneNumber: '555',
  role: 2,
  companyRoleId: undefined,
  uuid: 'fuzz-uuid',
  channelIds: [1],
  extraFields: [],
  companyId: COMPANIES.rival.id,
  originChannelId: 5,
  customerId: 1,
  id: 1,
});
const userUpdateRefused = refusedOf(userUpdateBase, userUpdateDefects, userUpdateValid);

// §5.3, §5.11: Company create (also each item of POST /companies/bulk)
const COMPANY_REQUIRED = ['companyName', 'companyEmail', 'companyPhone', 'country', 'adminFirstName', 'adminLastName', 'adminEmail'] as const;
const COMPANY_LIMITS: Record<string, number> = {
  companyName: 200,
  companyEmail: 200,
  companyPhone: 50,
  addressLine1: 200,
  addressLine2: 200,
  city: 100,
  state: 50,
  country: 200,
  zipCode: 50,
  adminFirstName: 100,
  adminLastName: 100,
  adminEmail: 100,
  adminPhoneNumber: 100,
  uuid: 255,
};
const companyCreateValid = (): Body => ({
  companyName: 'Fuzz Co',
  companyEmail: 'fuzz.co@example.org',
  companyPhone: '5550100',
  country: 'US',
  adminFirstName: 'Fuzz',
  adminLastName: 'Admin',
  adminEmail: freshEmail('fuzz.admin'),
});
const companyDefects: fc.Arbitrary<Defect> = fc.oneof(
  ...COMPANY_REQUIRED.flatMap((f) => [fc.constant(unset(f)), fc.constant(set(f)(null)), blank.map(set(f)), wrongTypes.map(set(f))]),
  fc.tuple(fc.constantFrom('companyEmail', 'adminEmail'), invalidEmail).map(([f, v]) => set(f)(v)),
  fc.constantFrom(...Object.keys(COMPANY_LIMITS)).chain((f) => tooLong((COMPANY_LIMITS[f] as number) + 1).map(set(f))),
  fc.tuple(fc.constantFrom('addressLine1', 'addressLine2', 'city', 'state', 'zipCode', 'adminPhoneNumber', 'uuid'), wrongTypes).map(([f, v]) => set(f)(v)),
  fc.oneof(notIntegerIn(0, Number.MAX_SAFE_INTEGER), fc.constantFrom(-1, '-7')).filter((v) => v !== null).map(set('customerGroupId')),
  fc.oneof(notIntegerIn(0, Number.MAX_SAFE_INTEGER), fc.constantFrom(-1, '-7')).filter((v) => v !== null).map(set('originChannelId')),
  fc.oneof(fc.constantFrom<unknown>('1', 1, true, 'x', { id: 1 }), fc.constantFrom(...UNKNOWN_CHANNELS).map((c) => [1, c]), fc.constantFrom(...UNKNOWN_CHANNELS).map((c) => [c])).map(set('channelIds')),
  fc.tuple(fc.constantFrom('extraFields', 'userExtraFields'), fc.constantFrom<unknown>('x', 1, true, [{ fieldValue: 'no name' }], [{ fieldName: '' }], [{ fieldName: 'a', fieldValue: 'v'.repeat(151) }], [1], [null])).map(([f, v]) => set(f)(v)),
);
const companyCreateBase = baseRecord({
  companyName: 'Fuzz Co',
  companyEmail: 'fuzz.co@example.org',
  companyPhone: '5550100',
  country: 'US',
  adminFirstName: 'Fuzz',
  adminLastName: 'Admin',
  adminEmail: 'fuzz.co.admin@example.org',
  addressLine1: '1 Main St',
  addressLine2: '',
  city: 'Springfield',
  state: 'IL',
  zipCode: '62701',
  adminPhoneNumber: '5550101',
  customerGroupId: 0,
  catalogId: 1,
  originChannelId: 1,
  channelIds: [1],
  acceptCreationEmail: false,
  acceptWelcomeEmail: false,
  extraFields: [],
  userExtraFields: [],
  uuid: 'fuzz-co',
  zzUnknown: 'x',
});
const companyCreateRefused = refusedOf(companyCreateBase, companyDefects, companyCreateValid);

// §5.5: Company update (partial)
const companyUpdateValid = (): Body => ({ companyName: 'Fuzz Co', companyPhone: '5550100', addressLine1: '1 Main St' });
const companyUpdateDefects: fc.Arbitrary<Defect> = fc.oneof(
  ...['companyName', 'companyEmail', 'companyPhone', 'country'].flatMap((f) => [fc.constant(set(f)(null)), blank.map(set(f)), wrongTypes.map(set(f))]),
  invalidEmail.map(set('companyEmail')),
  fc.constantFrom('companyName', 'companyEmail', 'companyPhone', 'addressLine1', 'addressLine2', 'city', 'state', 'country', 'zipCode', 'uuid').chain((f) => tooLong((COMPANY_LIMITS[f] as number) + 1).map(set(f))),
  fc.tuple(fc.constantFrom('addressLine1', 'addressLine2', 'city', 'state', 'zipCode', 'uuid'), wrongTypes).map(([f, v]) => set(f)(v)),
  fc.oneof(notIntegerIn(0, Number.MAX_SAFE_INTEGER), fc.constantFrom(-1, '-7')).filter((v) => v !== null).map(set('customerGroupId')),
  fc.constantFrom<unknown>('x', 1, true, [{ fieldValue: 'no name' }], [{ fieldName: '' }], [{ fieldName: 'a', fieldValue: 'v'.repeat(151) }], [1], [null]).map(set('extraFields')),
);
const companyUpdateBase = baseRecord({
  companyName: 'Fuzz Co',
  companyEmail: 'fuzz.co@example.org',
  companyPhone: '5550100',
  addressLine1: '1 Main St',
  addressLine2: '',
  city: 'Springfield',
  state: 'IL',
  country: 'US',
  zipCode: '62701',
  customerGroupId: 0,
  uuid: 'fuzz-co',
  priceListAssign: [],
  extraFields: [],
  companyStatus: 1,
  catalogId: 1,
});
const companyUpdateRefused = refusedOf(companyUpdateBase, companyUpdateDefects, companyUpdateValid);

/** §5.7: a status body no lenient reading takes for 0..3 */
const statusRefused = fc.oneof(
  fc.constant<Body>({}),
  notIntegerIn(0, 3).map((v) => ({ companyStatus: v })),
  fc.constantFrom<Body>({ companyStatus: null }, { status: 1 }, { companyStatus: 4 }, { companyStatus: -1 }, { companyStatus: '1.5' }),
);

export const BODY_CLASSES: Record<string, BodyClass> = {
  companies_users_create: {
    fields: ['firstName', 'lastName', 'email', 'phoneNumber', 'companyId', 'role', 'companyRoleId', 'uuid', 'channelIds', 'originChannelId', 'acceptWelcomeEmail', 'extraFields'],
    valid: userCreateValid,
    refused: userCreateRefused,
  },
  companies_user_update: {
    fields: ['firstName', 'lastName', 'email', 'phoneNumber', 'role', 'companyRoleId', 'uuid', 'channelIds', 'extraFields'],
    valid: userUpdateValid,
    refused: userUpdateRefused,
  },
  'post-companies': {
    fields: [...Object.keys(COMPANY_LIMITS), 'customerGroupId', 'catalogId', 'originChannelId', 'channelIds', 'acceptCreationEmail', 'extraFields', 'userExtraFields'],
    valid: companyCreateValid,
    refused: companyCreateRefused,
  },
  'put-companies-companyId': {
    fields: ['companyName', 'companyEmail', 'companyPhone', 'addressLine1', 'addressLine2', 'city', 'state', 'country', 'zipCode', 'customerGroupId', 'uuid', 'priceListAssign', 'extraFields'],
    valid: companyUpdateValid,
    refused: companyUpdateRefused,
  },
  'put-companies-companyId-status': { fields: ['companyStatus'], valid: () => ({ companyStatus: 2 }), refused: statusRefused },
};
// bulk bodies are arrays of the single endpoints' items
BODY_CLASSES.companies_users_bulk_create_create = { ...(BODY_CLASSES.companies_users_create as BodyClass) };
BODY_CLASSES['post-companies-bulk'] = {
  ...(BODY_CLASSES['post-companies'] as BodyClass),
  fields: [...(BODY_CLASSES['post-companies'] as BodyClass).fields, 'acceptWelcomeEmail'],
};
BODY_CLASSES['put-companies'] = {
  fields: ['companyId', ...(BODY_CLASSES['put-companies-companyId'] as BodyClass).fields],
  valid: () => ({ companyId: COMPANIES.rival.id, companyPhone: '5550199' }),
  // an item names a Company of the store (the defect is in its fields) or one that is not there (404)
  refused: fc
    .tuple(companyUpdateRefused, fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>(...STORE_COMPANY_IDS, String(COMPANIES.rival.id)) }, { weight: 1, arbitrary: hostileJsonValue }))
    .map(([body, companyId]) => ({ ...body, companyId })),
};
BODY_CLASSES['post-companies-companyId-parents'] = { fields: ['parentCompanyId'], valid: () => ({ parentCompanyId: COMPANIES.rival.id }), refused: fc.constant({}) };
BODY_CLASSES['put-companies-companyId-catalog'] = { fields: ['catalogId'], valid: () => ({ catalogId: 1 }), refused: fc.constant({ catalogId: 1 }) };

/** The body class of a route that reads a body; throws for a route this file does not know yet. */
export function bodyClassOf(route: ManagementRouteClass): BodyClass {
  const found = BODY_CLASSES[route.operationId];
  if (!found) throw new Error(`no body class for ${routeLabel(route)} (${route.operationId}): describe it in reliability-requests-b2b-management.ts`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// path ids and bodies per route, such that a writer's request is always refused

function isUsersDelete(route: ManagementRouteClass) {
  return route.method === 'DELETE' && route.template === '/users/{userId}';
}

/** Path values for a writer: never a row its request could change. */
function refusedPathValues(route: ManagementRouteClass): fc.Arbitrary<Record<string, string>> {
  if (route.params.length === 0) return fc.constant({});
  if (isUsersDelete(route)) return idTextNot(DELETABLE_USER_IDS).map((id) => ({ userId: id }));
  if (route.method === 'DELETE' && route.params.length === 1) return idTextNot(ALL_COMPANY_IDS).map((id) => ({ [route.params[0] as string]: id }));
  if (route.method === 'DELETE' && route.params.length === 2) {
    // detaching: any pair that is not a parent and its direct child
    return fc
      .tuple(idText, idText)
      .filter(([parent, child]) => ![...PARENT_OF].some(([c, p]) => readsAs(parent, [p]) && readsAs(child, [c])))
      .map(([parent, child]) => ({ [route.params[0] as string]: parent, [route.params[1] as string]: child }));
  }
  // PUT/POST on an id: the body carries the defect, any id will do (mostly real ones, to reach the field rules)
  return fc
    .tuple(...route.params.map((p) => fc.oneof({ weight: 3, arbitrary: realIdFor(p).map(String) }, { weight: 1, arbitrary: idText })))
    .map((ids) => Object.fromEntries(route.params.map((p, i) => [p, ids[i] as string])));
}

/** A refused parent body for POST /companies/{companyId}/parent at `pathId`. */
function refusedParentBody(pathId: string): fc.Arbitrary<Body> {
  const self = readings(pathId).find((n) => ALL_COMPANY_IDS.has(n));
  const below = self !== undefined ? [...PARENT_OF].filter(([, p]) => p === self).map(([c]) => c) : [];
  const refusedTargets = new Set([...ALL_COMPANY_IDS].filter((id) => id !== self && !below.includes(id)));
  return fc.oneof(
    fc.constant<Body>({}),
    fc.constantFrom<Body>({ parentCompanyId: null }, { parentId: COMPANIES.rival.id }),
    ...(self !== undefined ? [fc.constantFrom<Body>({ parentCompanyId: self }, { parentCompanyId: String(self) })] : []),
    ...(below.length > 0 ? [fc.constantFrom(...below).map((id): Body => ({ parentCompanyId: id }))] : []),
    fc.oneof(hostileJsonValue, hostileNumericString, fc.integer({ min: 0, max: 10_000_000 })).filter((v) => !readsAs(v, refusedTargets)).map((v): Body => ({ parentCompanyId: v })),
  );
}

function refusedBody(route: ManagementRouteClass, pathValues: Record<string, string>): fc.Arbitrary<unknown> {
  if (route.operationId === 'post-companies-companyId-parents') return refusedParentBody(pathValues.companyId ?? '');
  const cls = bodyClassOf(route);
  if (route.body !== 'array') return cls.refused;
  // all-or-nothing bulk: at least one refused item among up to ten, or more than ten items, or not a list
  const item = fc.oneof({ weight: 3, arbitrary: fc.constant(undefined).map(() => cls.valid()) }, { weight: 1, arbitrary: hostileJsonValue });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.array(item, { maxLength: 9 }), cls.refused, fc.nat()).map(([items, bad, at]) => [...items.slice(0, at % (items.length + 1)), bad, ...items.slice(at % (items.length + 1))]) },
    { weight: 1, arbitrary: fc.array(fc.oneof(item, cls.refused), { minLength: 11, maxLength: 60 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], {}, 'x', 1, true, null).filter((v) => !(route.operationId === 'put-companies' && v === null)) },
  );
}

// ---------------------------------------------------------------------------------------------
// queries

const queryValue = fc.oneof(
  hostileString,
  hostileNumericString,
  fc.constantFrom('', '0', '1', '2', '3', '-1', '250', '251', '1000000', '2147483648', '99999999999999999999', 'true', 'ASC', 'desc', 'companyName', 'updatedAt', 'exact-match', 'search', 'Cost Center:CC-1', 'a:', ':b', 'x', '0,1,2', '0,99'),
);

const QUERY_PARAMETERS = [
  'limit', 'offset', 'companyId', 'roles', 'roles[]', 'minModified', 'maxModified', 'minCreated', 'maxCreated', 'email', 'channelId', 'isIncludeExtraFields', 'q',
  'sortBy', 'orderBy', 'companyStatus', 'extraFields', 'extraFieldFilterType', 'bcGroupId', 'customerId', 'bcOrderId', 'orderId', 'zzUnknown', '__proto__',
] as const;

/** Any subset of every documented query parameter, each given one to three times (repeated parameters). */
export const hostileQuery: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_PARAMETERS), fc.array(queryValue, { minLength: 1, maxLength: 3 })), { maxLength: 6 })
  .map((pairs) => {
    const parts = pairs.flatMap(([key, values]) => values.map((v) => `${encodeSegment(key)}=${encodeSegment(v)}`));
    return parts.length === 0 ? '' : `?${parts.join('&')}`;
  });

// ---------------------------------------------------------------------------------------------
// the generator

function request(method: FuzzRequest['method'] | 'HEAD', url: string, family: string, headers: Headers, body?: unknown): FuzzRequest {
  return {
    family,
    // inject() sends HEAD like any other method; FuzzRequest's type does not list it
    method: method as FuzzRequest['method'],
    url,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) ?? 'null' } : {}),
  };
}

/** The class of a generated request (used by the checks) and its route, as `family`. */
export const familyOf = (kind: string, route?: Pick<ManagementRouteClass, 'method' | 'template'>) => (route ? `${kind}|${routeLabel(route)}` : kind);
export const kindOf = (request: FuzzRequest) => request.family.split('|')[0] ?? '';
export const routeOf = (request: FuzzRequest) => request.family.split('|')[1];

const trailing = fc.constantFrom('', '', '', '/');

export function managementRequests(routes: readonly ManagementRouteClass[], callers: ManagementCallers): fc.Arbitrary<FuzzRequest> {
  const reads = routes.filter((r) => r.method === 'GET');
  const writes = routes.filter((r) => r.method !== 'GET');
  const bodied = writes.filter((r) => r.body !== undefined);
  const anyCaller = fc.oneof(writers, nonWriters(callers), fc.constant(other));
  const pathFor = (route: ManagementRouteClass) => fc.tuple(...route.params.map(() => idText)).map((ids) => Object.fromEntries(route.params.map((p, i) => [p, ids[i] as string])));

  // reads that pass authentication, on real ids, with one or two hostile query parameters
  const readers = fc.constantFrom<Headers>(modify, legacy, { 'x-auth-token': TOKENS.read, 'x-store-hash': STORE });
  const oneOrTwoParams = fc
    .array(fc.tuple(fc.constantFrom(...QUERY_PARAMETERS), queryValue), { minLength: 1, maxLength: 2 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}`);
  const authorisedRead = fc
    .constantFrom(...reads)
    .chain((route) =>
      fc.tuple(
        fc.constant(route),
        fc.tuple(...route.params.map((p) => realIdFor(p))).map((ids) => Object.fromEntries(route.params.map((p, i) => [p, String(ids[i])]))),
        oneOrTwoParams,
        readers,
      ),
    )
    .map(([route, values, query, headers]) => request('GET', managementUrl(route, values) + query, familyOf('read-authorised', route), headers));

  const read = fc
    .constantFrom(...reads)
    .chain((route) => fc.tuple(fc.constant(route), pathFor(route), hostileQuery, anyCaller, trailing, fc.constantFrom<'GET' | 'HEAD'>('GET', 'GET', 'GET', 'HEAD')))
    .map(([route, values, query, headers, slash, method]) => request(method, managementUrl(route, values, slash) + query, familyOf('read', route), headers));

  const refusedWrite = fc
    .constantFrom(...writes)
    .chain((route) =>
      refusedPathValues(route).chain((values) =>
        fc.tuple(fc.constant(route), fc.constant(values), route.body !== undefined ? refusedBody(route, values) : fc.constant(undefined), fc.oneof(writers, fc.constant(other)), hostileQuery),
      ),
    )
    // the defects are built against STORE: naming the other store's Company is one of them, which its own token may do
    .filter(([, , body, headers]) => headers !== other || !JSON.stringify(body ?? null).includes(String(COMPANIES.other.id)))
    .map(([route, values, body, headers, query]) => request(route.method, managementUrl(route, values) + query, familyOf('refused', route), headers, body));

  // valid and hostile bodies from callers that may not write: 401 or 403, nothing else
  const denied = fc
    .constantFrom(...writes)
    .chain((route) =>
      fc.tuple(
        fc.constant(route),
        pathFor(route),
        route.body === undefined ? fc.constant(undefined) : fc.oneof(fc.constant(undefined).map(() => wrapBody(route)), hostileJsonValue, refusedBody(route, {})),
        nonWriters(callers),
      ),
    )
    .map(([route, values, body, headers]) => request(route.method, managementUrl(route, values), familyOf('denied', route), headers, body));

  // BOLA: another store's token, valid bodies, this store's real ids
  const bolaRoutes = routes.filter((r) => (r.params.length > 0 || (r.method === 'PUT' && r.body === 'array')) && r.operationId !== 'put-companies-companyId-catalog');
  const bola = fc
    .constantFrom(...bolaRoutes)
    .chain((route) =>
      fc.tuple(
        fc.constant(route),
        fc.tuple(...route.params.map((p) => realIdFor(p))).map((ids) => Object.fromEntries(route.params.map((p, i) => [p, String(ids[i])]))),
        fc.constant(undefined).map(() => (route.body !== undefined ? wrapBody(route) : undefined)),
      ),
    )
    .map(([route, values, body]) => request(route.method, managementUrl(route, values), familyOf('bola', route), other, body));

  // bodies that are not JSON, or JSON of any type, with any content type
  const transport = fc
    .constantFrom(...bodied)
    .chain((route) =>
      fc.tuple(
        fc.constant(route),
        refusedPathValues(route),
        fc.oneof(invalidJsonText, deepJson, hostileJsonValue.map((v) => JSON.stringify(v) ?? 'null')),
        oddContentType,
        writers,
      ),
    )
    .map(([route, values, payload, type, headers]): FuzzRequest => ({
      family: familyOf('transport', route),
      method: route.method as FuzzRequest['method'],
      url: managementUrl(route, values),
      headers: { ...headers, ...(type !== undefined ? { 'content-type': type } : {}) },
      payload,
    }));

  // methods a path does not serve (405 with Allow), OPTIONS (204), paths outside the served set (501)
  const methods = fc
    .tuple(fc.constantFrom(...routes), fc.constantFrom<FuzzRequest['method']>('PATCH', 'PUT', 'POST', 'DELETE', 'OPTIONS'), writers)
    .filter(([route, method]) => !routes.some((r) => r.template === route.template && r.method === method))
    .chain(([route, method, headers]) =>
      refusedPathValues({ ...route, method: 'DELETE' }).map((values) => request(method, managementUrl(route, values), familyOf('method', route), headers, method === 'OPTIONS' ? undefined : {})),
    );
  const unknownPath = fc
    .tuple(
      fc.oneof(
        fc.constantFrom('/customer-groups/1/companies', '/companies/123456/attachments', '/auth/backend', '/backend/tokens', '/addresses', '/orders', '/quotes', '/invoices', '/payments', '/sales-staffs', '/shopping-lists', '/super-admins', '/channels', '/companies/roles/5/x', '/users/124/x', '/users/customer', '/'),
        hostileString.filter((s) => s.length > 0 && s.length < 200).map((s) => `/${encodeSegment(s)}/${encodeSegment(s)}`),
        fc.constantFrom(...rawPercentSegments).map((raw) => `/users/12${raw}`),
      ),
      fc.constantFrom<FuzzRequest['method']>('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      anyCaller,
    )
    .map(([path, method, headers]) => request(method, `${MGMT_BASE}${path}`, familyOf('unknown-path'), headers));
  const roleWrites = fc
    .tuple(fc.constantFrom('/companies/roles', '/companies/roles/5', '/companies/roles/0', '/companies/permissions', '/companies/permissions/1'), fc.constantFrom<FuzzRequest['method']>('POST', 'PUT', 'DELETE', 'PATCH'), anyCaller)
    .map(([path, method, headers]) => request(method, `${MGMT_BASE}${path}`, familyOf('not-implemented'), headers, method === 'DELETE' ? undefined : {}));

  // more than ten items in a bulk body: 413 before any item is read
  const bulkRoutes = bodied.filter((r) => r.body === 'array');
  const oversizedBulk = fc
    .tuple(fc.constantFrom(...bulkRoutes), fc.integer({ min: 11, max: 3_000 }), fc.constantFrom<unknown>({}, null, 1, 'x', [], { companyId: COMPANIES.rival.id }), writers)
    .map(([route, n, item, headers]) => request(route.method, managementUrl(route, {}), familyOf('bulk-size', route), headers, Array.from({ length: n }, () => item)));

  // one huge string field in a refused body (over 1 MiB: 413)
  const hugeField = fc
    .constantFrom(...bodied.filter((r) => r.operationId !== 'put-companies-companyId-catalog'))
    .chain((route) =>
      refusedPathValues(route).chain((values) =>
        fc.tuple(fc.constant(route), fc.constant(values), refusedBody(route, values), fc.constantFrom(...bodyClassOf(route).fields, 'zzUnknown'), fc.integer({ min: 50_000, max: 1_200_000 }), fc.constantFrom('a', 'é', '🧪', '\u0000', '%')),
      ),
    )
    .map(([route, values, body, field, n, c]) => {
      const huge = c.repeat(Math.ceil(n / c.length));
      const target = Array.isArray(body) ? body.find((b) => b !== null && typeof b === 'object' && !Array.isArray(b)) : body;
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Body)[field] = huge;
      else return request(route.method, managementUrl(route, values), familyOf('huge', route), modify, huge);
      return request(route.method, managementUrl(route, values), familyOf('huge', route), modify, body);
    });

  return family<FuzzRequest>(
    [3, read],
    [3, authorisedRead],
    [8, refusedWrite],
    [3, denied],
    [2, bola],
    [2, transport],
    [1, methods],
    [1, unknownPath],
    [1, roleWrites],
    [1, oversizedBulk],
    [1, hugeField],
  );
}

/** a valid body of the route (an array of one valid item for bulk routes) */
function wrapBody(route: ManagementRouteClass): unknown {
  const cls = bodyClassOf(route);
  return route.body === 'array' ? [cls.valid()] : cls.valid();
}

/** a real id of STORE for a path parameter (the BOLA family) */
function realIdFor(param: string): fc.Arbitrary<number> {
  switch (param) {
    case 'userId':
      return fc.constantFrom(...STORE_USER_IDS);
    case 'customerId':
      return fc.constantFrom(...STORE_CUSTOMER_IDS);
    case 'roleId':
      return fc.constantFrom(CUSTOM_ROLES.userManager.id, CUSTOM_ROLES.orderViewer.id);
    default:
      return fc.constantFrom(...STORE_COMPANY_IDS);
  }
}

// ---------------------------------------------------------------------------------------------
// checks

/** Internal details that must never reach a client. */
export const INTERNAL_DETAILS = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+|FST_ERR|SQLITE_|syntax error at or near|Maximum call stack|RangeError|TypeError|violates|duplicate key|out of range for type|invalid byte sequence/;

const HIERARCHY_ROUTES = /^\/companies\/[^/]+\/(subsidiaries|parent|hierarchy)(\/[^/]+)?\/?$/;

/**
 * b2b-management-rest.md §2.3, §3: below 500; `{code, meta: {message}, data}` (keys in that
 * order, `code` = HTTP status), or on the hierarchy routes `{data, meta}` / `{status, title,
 * errors}`, or the bulk create's `meta` array; no secret, no internal detail; 405 with `Allow`;
 * and what the request's class must get: callers that may not write 401/403, another store's
 * token on this store's ids 404 (422 for a Company named in a create), oversized bulks 413.
 */
export function checkManagementResponse(request: FuzzRequest, response: LightMyRequestResponse): void {
  const status = response.statusCode;
  const kind = kindOf(request);
  // §1.2: 501 is the documented answer outside the served set, and only there
  const outside = kind === 'unknown-path' || kind === 'not-implemented' || (kind === 'method' && /\/companies\/(roles|permissions)/.test(request.url));
  if (status >= 500 && !(status === 501 && outside)) fail(`5xx from the Management API: ${status}`);
  const leaked = secretsIn(response.body);
  if (leaked.length > 0) fail(`response contains ${leaked.map((s) => s.label).join(', ')}`);
  for (const [name, value] of Object.entries(response.headers)) {
    if (name !== 'set-cookie' && secretsIn(String(value)).length > 0) fail(`header ${name} carries a secret`);
  }
  if (kind === 'denied' && status !== 401 && status !== 403) fail(`a caller that may not write got ${status}`);
  if (kind === 'bola' && status !== 404 && status !== 422) fail(`another store's token on this store's ids got ${status}, expected 404 (or 422 naming the Company)`);
  if (kind === 'bulk-size' && status !== 413) fail(`a bulk body of more than ten items got ${status}, expected 413`);
  if (kind === 'not-implemented' && status !== 501) fail(`writing roles or permissions got ${status}, expected 501`);
  if (kind === 'method' && request.method !== 'OPTIONS' && status !== 405 && !(status === 501 && /\/companies\/(roles|permissions)/.test(request.url))) {
    fail(`a method the path does not serve got ${status}`);
  }
  if (status === 405 && !String(response.headers.allow ?? '').includes('OPTIONS') && !(routeOf(request) ?? '').endsWith('/catalogs')) fail('405 without an Allow header');
  if (String(request.method) === 'HEAD' || (request.method === 'OPTIONS' && status === 204) || status === 204) {
    if (response.body !== '') fail(`HTTP ${status} (${request.method}) with a body`);
    return;
  }
  const body = jsonOf(response) as Record<string, unknown>;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail('body is not a JSON object');
  const path = (request.url.split('?')[0] ?? '').slice(MGMT_BASE.length);
  const keys = Object.keys(body).join(',');
  if (keys === 'status,title,errors') {
    if (!HIERARCHY_ROUTES.test(path)) fail(`a hierarchy error body on ${path}`);
    if (body.status !== status || (status !== 400 && status !== 404)) fail(`hierarchy error status ${String(body.status)} on HTTP ${status}`);
    if (typeof body.title !== 'string' || body.errors === null || typeof body.errors !== 'object') fail('a hierarchy error without title or errors');
    checkText(JSON.stringify(body));
    return;
  }
  if (keys === 'data,meta') {
    if (!HIERARCHY_ROUTES.test(path) || (status !== 200 && status !== 201)) fail(`a hierarchy success body on ${path} with HTTP ${status}`);
    return;
  }
  if (keys !== 'code,meta,data') fail(`keys ${keys}, expected code, meta, data`);
  if (body.code !== status) fail(`body code ${String(body.code)} differs from HTTP status ${status}`);
  const meta = body.meta as { message?: unknown } | unknown[];
  if (Array.isArray(meta)) {
    if (status !== 200 || !path.startsWith('/companies/bulk')) fail('a meta array outside a bulk create success');
    return;
  }
  if (typeof meta?.message !== 'string' || meta.message === '') fail('an answer without meta.message');
  if (body.data === null || typeof body.data !== 'object') fail('an answer without a data object or list');
  if (status >= 400) checkText(JSON.stringify(body));
  if (status === 401 && !['Invalid token header. No credentials provided.', 'Invalid token.'].includes(meta.message as string)) fail(`401 with "${String(meta.message)}"`);
  if (status === 403 && meta.message !== 'You do not have permission to perform this action.') fail(`403 with "${String(meta.message)}"`);
}

function checkText(text: string): void {
  if (INTERNAL_DETAILS.test(text)) fail('internal details in an error answer');
}

/** Statuses the SQLite run must reach: every layer of §2.3's order of checks. */
export const EXPECTED_STATUSES = [200, 204, 400, 401, 403, 404, 405, 413, 415, 422, 501] as const;
