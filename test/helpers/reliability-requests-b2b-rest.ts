import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { FuzzRequest } from './reliability-fuzz.js';
import { fail, jsonOf } from './reliability-fuzz.js';
import {
  badTokens,
  deepJson,
  family,
  headerSafe,
  hostileJsonValue,
  hostileNumber,
  hostileNumericString,
  hostileString,
  invalidJsonText,
  oddContentType,
  encodeSegment,
  rawPercentSegments,
} from './reliability-generators.js';
import { rememberIssued, secretsIn } from './reliability-secrets.js';

/**
 * Malformed and hostile requests for the B2B REST storefront API (/api/v2/..., /api/io/auth/...).
 * Writes are built so they must be refused: POST and PUT bodies always carry at least one fatal
 * defect (a required field missing, null or of a wrong type, an invalid e-mail or role, a blank
 * or over-long name); DELETE only targets ids the caller may not delete (itself, other Companies,
 * ids that do not exist or are malformed); callers without the permission may send anything.
 */
export interface B2bTokens {
  /** Marie Curie, Admin of Great Buys (123456), user 123 / customer 322 */
  admin: string;
  /** Pierre Curie, Senior Buyer of Great Buys: no user-management permission */
  senior: string;
  /** Eve Curie, custom role "User Manager" (get/detail/create/update at level 2, no delete) */
  custom: string;
  /** Rita Val, Admin of Rival Supplies (223344) */
  rival: string;
  /** Admin of Pending Traders (status 0) */
  pending: string;
  /** Walk In, a B2C customer with no Company */
  b2c: string;
}

import { STORE as STORE_HASH } from './b2b-graphql-client.js';

export { STORE_HASH };
export const GREAT_BUYS = 123456;
export const GREAT_BUYS_WEST = 123457;
export const RIVAL = 223344;
export const PENDING = 334455;
/** ids Marie (Admin) or Eve (User Manager) may change: never generated as write targets */
const WRITABLE_IDS = new Set([123, 124, 125, 126, 322, 323, 324, 325]);

const numericIdText = fc.oneof(
  hostileNumericString,
  fc.integer({ min: 0, max: 10_000_000 }).map(String),
  fc.constantFrom('127', '326', '200', '400', '300', '500', '321', '999999999999999', '0', '00124', '124.0', '124abc', '-124', ' 124', '１２４'),
);

/** Path ids that no write-capable caller may change: other Companies, unknown, malformed. */
const foreignPathId = fc.oneof(numericIdText, hostileString.filter((s) => s.length > 0 && s.length < 300)).filter((s) => {
  const trimmed = s.trim();
  return !(/^\d+$/.test(trimmed) && WRITABLE_IDS.has(Number(trimmed)));
});

const roleValue = fc.oneof(fc.constantFrom('0', '1', '2', 0, 1, 2, '3', '4', ''), hostileJsonValue);
const invalidRole = fc.oneof(
  fc.constantFrom('3', '4', '5', '7', '-1', '99', 'abc', '1.5', ' ', '', 7, -1, 1.5, true, null, [], {}, ['0'], { role: 0 }, '0 OR 1=1'),
  hostileString.filter((s) => !/^\s*[0-2]\s*$/.test(s)),
);
const invalidEmail = fc.oneof(
  hostileString.filter((s) => !s.includes('@') || /\s/.test(s.trim()) || s.trim().endsWith('@')),
  fc.constantFrom('plainaddress', '@example.com', 'a@', 'a b@example.com', 'a@b', 'a@-example.com', '.a@example.com', 'a.@example.com', 'a..b@example.com', `${'x'.repeat(140)}@example.com`, null, 42, true, [], {}),
);
const invalidName = fc.oneof(fc.constantFrom('', '   ', '\t', null, true, [], {}, { first: 'x' }, ['x']), fc.integer({ min: 151, max: 3000 }).map((n) => 'n'.repeat(n)));

type UserBody = Record<string, unknown>;

const baseUserBody = fc.record({
  companyId: fc.oneof(fc.constantFrom(String(GREAT_BUYS), GREAT_BUYS), hostileJsonValue),
  firstName: fc.oneof(fc.constant('Fuzz'), hostileJsonValue),
  lastName: fc.oneof(fc.constant('Tester'), hostileJsonValue),
  email: fc.oneof(fc.constant('fuzz.tester@example.org'), hostileJsonValue),
  phoneNumber: fc.oneof(fc.constant(''), hostileJsonValue),
  role: roleValue,
  companyRoleId: fc.option(hostileJsonValue, { nil: undefined }),
  extraFields: fc.option(hostileJsonValue, { nil: undefined }),
  unknownField: fc.option(hostileJsonValue, { nil: undefined }),
  __proto__x: fc.option(hostileJsonValue, { nil: undefined }),
});

/**
 * Applies at least one defect that every implementation of §6.2/§6.4 must refuse. `asText`: only
 * defects that stay defects as form-encoded text (a JSON array or `null` sent as a form field is
 * the text "[]" or "null", a fine name).
 */
function fatalDefectOf(asText: boolean): fc.Arbitrary<(body: UserBody) => void> {
  const text = (value: unknown) => !asText || typeof value === 'string';
  return fc.oneof(
    fc.constantFrom('firstName', 'lastName', 'email', 'role').map((field) => (body: UserBody) => {
      delete body[field];
      delete body.companyRoleId;
    }),
    invalidEmail.filter(text).map((value) => (body: UserBody) => {
      body.email = value;
    }),
    invalidRole.filter(text).map((value) => (body: UserBody) => {
      body.role = value;
      delete body.companyRoleId;
    }),
    fc.tuple(fc.constantFrom('firstName', 'lastName'), invalidName.filter(text)).map(([field, value]) => (body: UserBody) => {
      body[field] = value;
    }),
    fc.integer({ min: 151, max: 2000 }).map((n) => (body: UserBody) => {
      body.phoneNumber = '5'.repeat(n);
    }),
  );
}

/** every field good: with one defect, the defect alone decides (hostile fields would refuse the body anyway) */
const goodUserBody = fc.constant(null).map((): UserBody => ({ companyId: GREAT_BUYS, firstName: 'Fuzz', lastName: 'Tester', email: 'fuzz.tester@example.org', phoneNumber: '', role: '1' }));

function refusedUserBodyOf(asText: boolean): fc.Arbitrary<UserBody> {
  return fc.tuple(fc.oneof(baseUserBody, goodUserBody), fatalDefectOf(asText), fc.boolean()).map(([body, defect, forPost]) => {
    const copy: UserBody = { ...body };
    for (const [k, v] of Object.entries(copy)) if (v === undefined) delete copy[k];
    if (!forPost) delete copy.companyId;
    defect(copy);
    return copy;
  });
}
const refusedUserBody = refusedUserBodyOf(false);

const queryValue = fc.oneof(hostileString, hostileNumericString, fc.constantFrom('', '1', '0', '-1', '251', '1000000', 'true'));

function queryString(params: Record<string, string | string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encodeSegment(key)}=${encodeSegment(v)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

const listQuery = fc
  .record(
    {
      q: queryValue,
      role: queryValue,
      'role[]': fc.array(queryValue, { maxLength: 3 }),
      limit: queryValue,
      offset: queryValue,
      isBcId: queryValue,
      minLastModifiedTime: queryValue,
      maxLastCreatedTime: queryValue,
      storeHash: queryValue,
      companyId: queryValue,
      extra: queryValue,
    },
    { requiredKeys: [] },
  )
  .map(queryString);

function authHeaders(token: string | undefined, style: 'bearer' | 'legacy' | 'bearer2'): Record<string, string> {
  if (token === undefined) return {};
  if (style === 'legacy') return { authtoken: token };
  return { authorization: style === 'bearer2' ? `Bearer  ${token}` : `Bearer ${token}` };
}

function json(method: FuzzRequest['method'], url: string, family: string, headers: Record<string, string>, body?: unknown): FuzzRequest {
  return {
    family,
    method,
    url,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  };
}

export function b2bRestRequests(tokens: B2bTokens): fc.Arbitrary<FuzzRequest> {
  const anyToken = fc.constantFrom<string | undefined>(tokens.admin, tokens.senior, tokens.custom, tokens.rival, tokens.pending, tokens.b2c, undefined);
  /** callers that cannot change a Great Buys user */
  const noWriteToken = fc.constantFrom<string | undefined>(tokens.senior, tokens.rival, tokens.pending, tokens.b2c, undefined);
  const style = fc.constantFrom<'bearer' | 'legacy' | 'bearer2'>('bearer', 'legacy', 'bearer2');
  const auth = fc.tuple(anyToken, style).map(([t, s]) => authHeaders(t, s));
  const noWriteAuth = fc.tuple(noWriteToken, style).map(([t, s]) => authHeaders(t, s));
  const readPath = fc.oneof(
    fc.constant('/api/v2/users'),
    fc.oneof(numericIdText, hostileString.filter((s) => s.length > 0 && s.length < 300)).map((id) => `/api/v2/users/${encodeSegment(id)}`),
    fc.constantFrom(...rawPercentSegments).map((raw) => `/api/v2/users/12${raw}`),
    fc.constant('/api/v2/users/validations/existence'),
    fc.oneof(numericIdText, hostileString.filter((s) => s.length > 0 && s.length < 300)).map((id) => `/api/v2/companies/${encodeSegment(id)}/users`),
    hostileString.filter((s) => s.length > 0 && s.length < 300).map((e) => `/api/v2/companies/validations/frontend/user-emails/${encodeSegment(e)}`),
    fc.oneof(numericIdText, hostileString.filter((s) => s.length > 0 && s.length < 300)).map((id) => `/api/v2/customers/${encodeSegment(id)}/companies`),
  );

  const oneParam = fc
    .tuple(fc.constantFrom('q', 'role', 'role[]', 'limit', 'offset', 'isBcId', 'minLastModifiedTime', 'maxLastCreatedTime', 'unknown'), queryValue)
    .map(([k, v]) => queryString({ [k]: v }));
  return family<FuzzRequest>(
    // every GET with hostile path ids and query parameters, any caller
    [4, fc.tuple(readPath, listQuery, auth).map(([path, query, headers]) => json('GET', path + query, 'get', headers))],
    // reads that pass authorisation, with one hostile query parameter
    [
      3,
      fc
        .tuple(
          fc.constantFrom('/api/v2/users', '/api/v2/users/124', '/api/v2/users/323', `/api/v2/companies/${GREAT_BUYS}/users`, '/api/v2/customers/123/companies', '/api/v2/users/validations/existence'),
          oneParam,
          fc.constantFrom(tokens.admin, tokens.custom),
          style,
        )
        .map(([path, query, token, s]) => json('GET', path + query, 'get-authorised', authHeaders(token, s))),
    ],
    // create with a body that must be refused, any caller
    [4, fc.tuple(refusedUserBody, auth).map(([body, headers]) => json('POST', '/api/v2/users', 'create-refused', headers, body))],
    // create with any body, callers without create_user in Great Buys
    [
      2,
      fc.tuple(fc.oneof(baseUserBody, hostileJsonValue), noWriteAuth).map(([body, headers]) => json('POST', '/api/v2/users', 'create-no-permission', headers, body)),
    ],
    // update: a refused body on any id, or any body on an id nobody here may change, or any body without permission
    [
      3,
      fc
        .tuple(refusedUserBody, fc.oneof(numericIdText, foreignPathId), listQuery, auth)
        .map(([body, id, query, headers]) => json('PUT', `/api/v2/users/${encodeSegment(id)}${query}`, 'update-refused', headers, body)),
    ],
    [
      2,
      fc
        .tuple(fc.oneof(baseUserBody, hostileJsonValue), foreignPathId, auth)
        .map(([body, id, headers]) => json('PUT', `/api/v2/users/${encodeSegment(id)}`, 'update-foreign', headers, body)),
    ],
    [
      1,
      fc
        .tuple(fc.oneof(baseUserBody, hostileJsonValue), fc.constantFrom('123', '124', '125', '126'), noWriteAuth)
        .map(([body, id, headers]) => json('PUT', `/api/v2/users/${id}`, 'update-no-permission', headers, body)),
    ],
    // delete: ids nobody here may delete (Marie's own id is refused as "yourself"), or without permission
    [2, fc.tuple(fc.oneof(foreignPathId, fc.constant('123')), auth).map(([id, headers]) => json('DELETE', `/api/v2/users/${encodeSegment(id)}`, 'delete-foreign', headers))],
    [
      1,
      fc
        .tuple(fc.constantFrom('124', '125', '126'), fc.constantFrom<string | undefined>(tokens.senior, tokens.custom, tokens.rival, tokens.pending, tokens.b2c, undefined), style)
        .map(([id, token, s]) => json('DELETE', `/api/v2/users/${id}`, 'delete-no-permission', authHeaders(token, s))),
    ],
    // token endpoints with hostile credentials (never the fixture's password)
    [
      2,
      fc
        .record(
          {
            storeHash: fc.oneof({ weight: 4, arbitrary: fc.constant(STORE_HASH) }, { weight: 1, arbitrary: hostileJsonValue }),
            email: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('m.curie@greatbuys.com', 'walk.in@example.com', 'M.Curie@GreatBuys.com ') }, { weight: 1, arbitrary: hostileJsonValue }),
            password: fc.oneof(hostileString, hostileJsonValue),
            channelId: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: hostileJsonValue }),
            name: fc.oneof({ weight: 4, arbitrary: fc.constant('fuzz') }, { weight: 1, arbitrary: hostileJsonValue }),
            beginAt: fc.option(hostileJsonValue, { freq: 4, nil: undefined }),
            endAt: fc.option(hostileJsonValue, { freq: 4, nil: undefined }),
          },
          { requiredKeys: ['storeHash', 'email', 'password', 'channelId', 'name', 'beginAt', 'endAt'] },
        )
        .filter((b) => b.password !== 'Passw0rd!')
        .map((body) => json('POST', '/api/io/auth/customers', 'sign-in', {}, body)),
    ],
    [
      1,
      fc
        .record({ bcToken: hostileJsonValue, storeHash: hostileJsonValue, channelId: hostileJsonValue, customerId: hostileJsonValue }, { requiredKeys: [] })
        .map((body) => json('POST', '/api/v2/login', 'login', {}, body)),
    ],
    [
      1,
      fc
        .tuple(queryValue, queryValue, fc.option(hostileString.map(headerSafe), { nil: undefined }))
        .map(([jwt, channel, store]) =>
          json('GET', `/api/io/auth/storefront${queryString({ jwtToken: jwt, channelId: channel })}`, 'storefront-token', store !== undefined ? { 'x-store-hash': store } : {}),
        ),
    ],
    // bad tokens on every route
    [
      2,
      fc
        .tuple(badTokens, style, fc.constantFrom<FuzzRequest['method']>('GET', 'POST', 'PUT', 'DELETE'), readPath, fc.option(fc.oneof(baseUserBody, hostileJsonValue), { nil: undefined }))
        .map(([token, s, method, path, body]) => json(method, path, 'bad-token', authHeaders(headerSafe(token), s), method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}))),
    ],
    // bodies that are not JSON, or not a JSON object, with any content type
    [
      2,
      fc
        .tuple(fc.oneof(invalidJsonText, deepJson, hostileJsonValue.map((v) => JSON.stringify(v) ?? 'null')), oddContentType, fc.constantFrom<FuzzRequest['method']>('POST', 'PUT'), fc.oneof(foreignPathId, fc.constant('123')), auth)
        .map(([payload, type, method, id, headers]) => ({
          family: 'not-json',
          method,
          url: method === 'POST' ? '/api/v2/users' : `/api/v2/users/${encodeSegment(id)}`,
          headers: { ...headers, ...(type !== undefined ? { 'content-type': type } : {}) },
          payload,
        })),
    ],
    [
      1,
      fc
        .tuple(fc.oneof(invalidJsonText, deepJson), oddContentType, fc.constantFrom('/api/io/auth/customers', '/api/v2/login'))
        .map(([payload, type, url]): FuzzRequest => ({ family: 'not-json-auth', method: 'POST', url, headers: type !== undefined ? { 'content-type': type } : {}, payload })),
    ],
    // methods a route does not have
    [
      1,
      fc
        .tuple(fc.constantFrom<FuzzRequest['method']>('PATCH', 'PUT', 'DELETE', 'POST', 'OPTIONS'), fc.constantFrom('/api/v2/users', '/api/v2/users/validations/existence', '/api/io/auth/customers', '/api/v2/login', `/api/v2/companies/${GREAT_BUYS}/users`), auth)
        .filter(([method, path]) => !(method === 'POST' && (path === '/api/v2/users' || path === '/api/io/auth/customers' || path === '/api/v2/login')))
        .map(([method, path, headers]) => json(method, path, 'method', headers, method === 'OPTIONS' || method === 'DELETE' ? undefined : {})),
    ],
    // form-encoded bodies (accepted on POST/PUT, §14 #15) that must still be refused
    [
      1,
      fc.tuple(refusedUserBodyOf(true), auth).map(([body, headers]) => ({
        family: 'form',
        method: 'POST' as const,
        url: '/api/v2/users',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: queryString(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))).slice(1),
      })),
    ],
  );
}

/**
 * b2b-users-rest.md §3, §14 #1-2: `/api/v2/*` answers `{code, message, data}` and `/api/io/auth/*`
 * `{code, data, meta: {message}}`, with `code` equal to the HTTP status; never a 5xx.
 */
export function checkB2bRestResponse(request: FuzzRequest, response: LightMyRequestResponse): void {
  if (response.statusCode >= 500) fail(`5xx from the B2B REST API: ${response.statusCode}`);
  if (request.method === 'OPTIONS' && response.statusCode === 204) return;
  const body = jsonOf(response) as Record<string, unknown>;
  const leaked = secretsIn(response.body);
  if (leaked.length > 0) fail(`response contains ${leaked.map((s) => s.label).join(', ')}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail('body is not a JSON object');
  if (body.code !== response.statusCode) fail(`body code ${String(body.code)} differs from HTTP status ${response.statusCode}`);
  const path = request.url.split('?')[0] ?? '';
  const authStyle = path.startsWith('/api/io/auth/');
  if (authStyle && response.statusCode !== 404) {
    const meta = body.meta as { message?: unknown } | undefined;
    if (typeof meta?.message !== 'string') fail('an /api/io/auth answer without meta.message');
  } else if (typeof body.message !== 'string' || body.message === '') fail('an answer without message');
  if (!('data' in body)) fail('an answer without data');
  if (response.statusCode >= 400) {
    const data = body.data as { errMsg?: unknown } | null;
    const text = `${String(body.message ?? '')} ${JSON.stringify(data ?? '')}`;
    if (/\n\s+at |node_modules|\.ts:\d+|FST_ERR|SQLITE_|syntax error at or near/.test(text)) fail('internal details in an error answer');
  }
  void hostileNumber;
}

/** Signs in every demo person the fuzzers need through POST /api/io/auth/customers. */
export async function signInDemoPeople(app: { inject: (o: import('fastify').InjectOptions) => Promise<LightMyRequestResponse> }): Promise<B2bTokens> {
  const people: Record<keyof B2bTokens, string> = {
    admin: 'm.curie@greatbuys.com',
    senior: 'p.curie@greatbuys.com',
    custom: 'e.curie@greatbuys.com',
    rival: 'admin@rival.example',
    pending: 'admin@pending.example',
    b2c: 'walk.in@example.com',
  };
  const out = {} as B2bTokens;
  for (const [key, email] of Object.entries(people) as [keyof B2bTokens, string][]) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/io/auth/customers',
      headers: { 'content-type': 'application/json' },
      payload: { storeHash: STORE_HASH, email, password: 'Passw0rd!', channelId: 1, name: 'reliability' },
    });
    const token = (res.json() as { data?: { token?: string } }).data?.token;
    if (res.statusCode !== 200 || typeof token !== 'string') throw new Error(`sign-in of ${email} failed: ${res.statusCode} ${res.body}`);
    rememberIssued(`storefront token of ${email}`, token);
    out[key] = token;
  }
  return out;
}
