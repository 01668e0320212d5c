import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../src/app.js';
import { describeValue, MAX_ECHO_LENGTH } from '../../src/shared/describe-value.js';
import { dialects } from '../helpers/dialects.js';
import { digestDatabase } from '../helpers/reliability-digest.js';
import { type FuzzRequest, jsonOf, toInject, watchLoop } from '../helpers/reliability-fuzz.js';
import { checkAccountResponse } from '../helpers/reliability-requests-account.js';
import { checkB2bGraphqlResponse } from '../helpers/reliability-requests-b2b-graphql.js';
import { bodyClassOf, checkManagementResponse, familyOf, type ManagementRouteClass, managementRoutes, managementUrl, routeLabel } from '../helpers/reliability-requests-b2b-management.js';
import { type B2bTokens, checkB2bRestResponse, signInDemoPeople } from '../helpers/reliability-requests-b2b-rest.js';
import { describeNest, jsonObjectText, NEST_SHAPES, type Nest, type NestShape, nestGraphql, nestJson, nestOf } from '../helpers/reliability-deep-values.js';
import { assertLogsFreeOfSecrets, capturedLogs, createLoggedTestApp } from '../helpers/reliability-secrets.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Every JSON field of every request body, nested 10 to 100,000 levels deep (arrays, objects, both
 * mixed; depth, keys and leaf chosen by fast-check), on every API:
 *  - B2B REST: each field of POST/PUT /api/v2/users, POST /api/v2/login, POST /api/io/auth/customers
 *    (and fields inside fields: `extraFields[0].fieldName/fieldValue`), unknown extra keys, the whole
 *    body, and a body sent to routes that take none (DELETE, 405s);
 *  - B2B GraphQL: each argument and input field of every query and mutation that takes one, as a
 *    variable and inline in the document (where nesting past the parser's bound is a syntax error);
 *  - Account GraphQL: each input field of the four user mutations, `users(filters:)` (account and store)
 *    and the paging arguments of users, stores and apps, the same two ways;
 *  - both GraphQL transports: `query`, `variables`, `operationName`, `extensions`, unknown keys, the
 *    whole body.
 * A deep value is never valid where it is sent, so each request is refused: below 500, in its API's
 * own format, REST with the field's own answer (422 naming the field unless the rules put another
 * check first), GraphQL with `errors[]` carrying `extensions.code`; no error is logged and nothing
 * in the database changes; the request journal still shows them. ROSTER_FUZZ_SEED=<seed>
 * replays a failing run; ROSTER_DEEP_RUNS=<n> sends n depths per field and shape (default 2 on SQLite,
 * 1 on PostgreSQL: about 30 s and 15 s).
 */
const BASE_SEED = process.env.ROSTER_FUZZ_SEED ? Number(process.env.ROSTER_FUZZ_SEED) : 20_261_201;
const ACCOUNT_URL = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';
const NEW_EMAIL = '"deep.nesting@example.org"';

type Api = 'rest' | 'graphql' | 'account' | 'management';

/** What a refused request must answer besides the API's own format. */
interface Expectation {
  /** REST: the HTTP status (a body over 1 MiB is 413 instead, §14 #30) */
  status?: number;
  /** REST 422: the wire field `data.errMsg` must name */
  field?: string;
  /** GraphQL: errors[] must be present (false: a read whose deep value is ignored may succeed) */
  errors?: boolean;
  /** GraphQL: this root field must not have produced data */
  root?: string;
}

interface DeepCase {
  name: string;
  api: Api;
  /** which nest kinds the case takes: JSON text or a GraphQL literal */
  placement: 'json' | 'document';
  request: (deep: string) => FuzzRequest;
  expect: Expectation;
}

function runsFor(dialect: string): number {
  const fromEnv = Number(process.env.ROSTER_DEEP_RUNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return dialect === 'sqlite' ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// B2B REST

function restRequest(method: FuzzRequest['method'], url: string, token: string | undefined, payload: string): FuzzRequest {
  return {
    family: 'deep-rest',
    method,
    url,
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    payload,
  };
}

/** One case per entry of `fields`: `base` with that field's value replaced by the nest (or added, for unknown keys). */
function restFieldCases(
  route: string,
  token: string | undefined,
  base: Record<string, string>,
  fields: Record<string, Expectation>,
): DeepCase[] {
  const [method, url] = route.split(' ') as [FuzzRequest['method'], string];
  return Object.entries(fields).map(([field, expectation]) => ({
    name: `${route} ${field}`,
    api: 'rest' as const,
    placement: 'json' as const,
    request: (deep: string) => restRequest(method, url, token, jsonObjectText({ ...base, [field]: deep })),
    expect: expectation,
  }));
}

function restCases(tokens: B2bTokens): DeepCase[] {
  const out: DeepCase[] = [];
  const admin = tokens.admin;
  const user = { companyId: '123456', email: NEW_EMAIL, firstName: '"Deep"', lastName: '"Nest"', phoneNumber: '""', role: '1' };
  const userFields: Record<string, Expectation> = {
    email: { status: 422, field: 'email' },
    firstName: { status: 422, field: 'firstName' },
    lastName: { status: 422, field: 'lastName' },
    phoneNumber: { status: 422, field: 'phoneNumber' },
    role: { status: 422, field: 'role' },
    companyRoleId: { status: 422, field: 'companyRoleId' },
    uuid: { status: 422, field: 'uuid' },
    extraFields: { status: 422, field: 'extraFields' },
  };
  for (const [route, base, fields] of [
    // §13 #11: a companyId outside the caller's scope (a nest is no Company) is 403 before any 422
    ['POST /api/v2/users', user, { ...userFields, companyId: { status: 403 } }],
    ['PUT /api/v2/users/124', { ...user, companyId: undefined }, userFields],
    ['PUT /api/v2/users/323?isBcId=1', { ...user, companyId: undefined }, userFields],
  ] as const) {
    const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
    out.push(...restFieldCases(route, admin, clean, fields));
    const [method, url] = route.split(' ') as [FuzzRequest['method'], string];
    for (const sub of ['fieldName', 'fieldValue'] as const) {
      const item = { fieldName: '"department"', fieldValue: '"sales"' };
      out.push({
        name: `${route} extraFields[0].${sub}`,
        api: 'rest',
        placement: 'json',
        request: (deep) => restRequest(method, url, admin, jsonObjectText({ ...clean, extraFields: `[${jsonObjectText({ ...item, [sub]: deep })}]` })),
        expect: { status: 422, field: 'extraFields' },
      });
    }
    // unknown keys are ignored: the body is refused for its e-mail, and the nest must not get in the way
    for (const key of ['nickname', '__proto__', 'constructor', 'companyId']) {
      if (key === 'companyId' && method === 'POST') continue;
      out.push({
        name: `${route} unknown key ${key}`,
        api: 'rest',
        placement: 'json',
        request: (deep) => restRequest(method, url, admin, jsonObjectText({ ...clean, email: '"not-an-email"', [key]: deep })),
        expect: { status: 422, field: 'email' },
      });
    }
  }

  out.push(
    ...restFieldCases('POST /api/v2/login', undefined, { bcToken: '"a.b.c"', storeHash: '"f0qyczpkb2"', channelId: '1', customerId: '322' }, {
      bcToken: { status: 422, field: 'bcToken' },
      storeHash: { status: 422, field: 'storeHash' },
      channelId: { status: 422, field: 'channelId' },
      customerId: { status: 422, field: 'customerId' },
      // an unknown key is ignored: "a.b.c" is then refused as a token (§14 #4)
      nickname: { status: 401 },
    }),
  );
  out.push(
    ...restFieldCases(
      'POST /api/io/auth/customers',
      undefined,
      { storeHash: '"f0qyczpkb2"', email: '"m.curie@greatbuys.com"', password: '"not-the-password"', channelId: '1', name: '"deep"' },
      {
        storeHash: { status: 422, field: 'storeHash' },
        email: { status: 422, field: 'email' },
        password: { status: 422, field: 'password' },
        channelId: { status: 422, field: 'channelId' },
        name: { status: 422, field: 'name' },
        beginAt: { status: 422, field: 'beginAt' },
        endAt: { status: 422, field: 'endAt' },
        // an unknown key is ignored: the wrong password is then the documented 400
        nickname: { status: 400 },
      },
    ),
  );

  // the whole body nested; POST /api/v2/users: every required field is then missing
  for (const [route, token, status, field] of [
    ['POST /api/v2/users', admin, 422, 'companyId'],
    ['PUT /api/v2/users/124', admin, 422, 'email'],
    ['POST /api/v2/login', undefined, 422, 'bcToken'],
    ['POST /api/io/auth/customers', undefined, 422, 'storeHash'],
    // routes without a body: the body is not read
    ['DELETE /api/v2/users/123', admin, 422, undefined],
    ['DELETE /api/v2/users/999999', admin, 404, undefined],
    ['PATCH /api/v2/users', admin, 405, undefined],
    ['PATCH /api/v2/users/124', admin, 405, undefined],
    ['POST /api/v2/users/validations/existence', admin, 405, undefined],
    ['PUT /api/io/auth/customers', undefined, 405, undefined],
  ] as const) {
    const [method, url] = route.split(' ') as [FuzzRequest['method'], string];
    out.push({
      name: `${route} whole body`,
      api: 'rest',
      placement: 'json',
      request: (deep) => restRequest(method, url, token, deep),
      expect: { status, ...(field !== undefined ? { field } : {}) },
    });
  }
  return out;
}

/** Texts of a conversion that failed on the value (a stack overflow, a value without a primitive form). */
const INTERNAL_TEXT = /Maximum call stack|RangeError|TypeError|Cannot convert object to primitive|too much recursion/i;

function tooLarge(request: FuzzRequest): boolean {
  return typeof request.payload === 'string' && Buffer.byteLength(request.payload) > BODY_LIMIT_BYTES;
}

function checkRest(c: DeepCase, request: FuzzRequest, res: LightMyRequestResponse): void {
  checkB2bRestResponse(request, res);
  if (INTERNAL_TEXT.test(res.body)) throw new Error('an internal error text in the answer');
  // §14 #30: over 1 MiB is 413 whatever the body holds
  if (tooLarge(request)) {
    if (res.statusCode !== 413) throw new Error(`HTTP ${res.statusCode} for a body over 1 MiB, expected 413`);
    return;
  }
  if (c.expect.status !== undefined && res.statusCode !== c.expect.status) throw new Error(`HTTP ${res.statusCode}, expected ${c.expect.status}`);
  if (c.expect.field !== undefined) {
    const body = jsonOf(res) as { data?: { errMsg?: unknown } };
    const errMsg = body.data?.errMsg;
    if (errMsg === null || typeof errMsg !== 'object' || !(c.expect.field in errMsg)) throw new Error(`errMsg does not name ${c.expect.field}`);
    const messages = (errMsg as Record<string, unknown>)[c.expect.field];
    if (!Array.isArray(messages) || messages.some((m) => typeof m !== 'string' || m.length > 300)) throw new Error(`errMsg.${c.expect.field} is not a list of short messages`);
  }
}

// ---------------------------------------------------------------------------------------------
// B2B Management API v3: every body field of every route the server publishes (its OpenAPI
// document), inside bulk items too, unknown keys, whole bodies; the demo's store-level token

const MANAGEMENT_HEADERS = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'f0qyczpkb2' };

/** Fields a body may carry that no rule reads (ignored or read leniently): their cases get a base refused for its e-mail. */
const IGNORED_FIELDS: Record<string, readonly string[]> = {
  'post-companies': ['catalogId', 'acceptCreationEmail'],
  'post-companies-bulk': ['catalogId', 'acceptCreationEmail', 'acceptWelcomeEmail'],
  'put-companies-companyId': ['priceListAssign'],
  'put-companies': ['priceListAssign'],
};

/** the wire field the Users family's 422 names for a body field */
const USERS_FAMILY = new Set(['companies_users_create', 'companies_users_bulk_create_create', 'companies_user_update']);

function managementRequest(route: Pick<ManagementRouteClass, 'method' | 'template'>, url: string, payload: string): FuzzRequest {
  return { family: familyOf('deep', route), method: route.method as FuzzRequest['method'], url, headers: { 'content-type': 'application/json', ...MANAGEMENT_HEADERS }, payload };
}

const jsonOfValues = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).map(([k, v]) => [k, JSON.stringify(v)]));

/** The path of each route at an id whose write the body decides (Great Buys' users and Companies of the demo). */
const DEEP_PATH_VALUES: Record<string, string> = { userId: '124', companyId: '223344', customerId: '323', roleId: '0', childCompanyId: '123457' };

function managementCases(routes: readonly ManagementRouteClass[]): DeepCase[] {
  const out: DeepCase[] = [];
  for (const route of routes.filter((r) => r.body !== undefined)) {
    const cls = bodyClassOf(route);
    const url = managementUrl(route, DEEP_PATH_VALUES);
    const users = USERS_FAMILY.has(route.operationId);
    const bulk = route.body === 'array';
    const label = routeLabel(route);
    // the fixed 405 (catalogs) never reads its body
    if (route.operationId === 'put-companies-companyId-catalog') {
      out.push({ name: `${label} whole body`, api: 'management', placement: 'json', request: (deep) => managementRequest(route, url, deep), expect: { status: 405 } });
      continue;
    }
    const hierarchy = route.family === 'hierarchy';
    const refusal = hierarchy ? 400 : 422;
    const valid = () => {
      const body = cls.valid();
      // the demo has no Company 223344 users to clash with; Companies of bulk updates are the demo's
      if (route.operationId === 'put-companies') body.companyId = 223344;
      if (route.operationId === 'post-companies-companyId-parents') body.parentCompanyId = 334455;
      return body;
    };
    const badEmail = (body: Record<string, unknown>) => ({ ...body, [users ? 'email' : 'companyEmail']: 'not-an-email' });
    const wrap = (item: string) => (bulk ? `[${item}]` : item);
    const fieldOf = (field: string) => (users ? { field: bulk ? `0.${field}` : field } : {});
    const ignored = IGNORED_FIELDS[route.operationId] ?? [];
    for (const field of cls.fields) {
      const base = ignored.includes(field) ? badEmail(valid()) : valid();
      // a bulk update names its Companies: a nest there is "no such Company" for the whole batch
      const expectation: Expectation =
        route.operationId === 'put-companies' && field === 'companyId'
          ? { status: 404 }
          : ignored.includes(field)
            ? { status: refusal, ...fieldOf(users ? 'email' : '') }
            : { status: refusal, ...fieldOf(field) };
      out.push({
        name: `${label} ${bulk ? '[0].' : ''}${field}`,
        api: 'management',
        placement: 'json',
        request: (deep) => managementRequest(route, url, wrap(jsonObjectText({ ...jsonOfValues(base), [field]: deep }))),
        expect: expectation,
      });
    }
    for (const list of ['extraFields', 'userExtraFields'].filter((f) => cls.fields.includes(f))) {
      for (const sub of ['fieldName', 'fieldValue']) {
        out.push({
          name: `${label} ${bulk ? '[0].' : ''}${list}[0].${sub}`,
          api: 'management',
          placement: 'json',
          request: (deep) => managementRequest(route, url, wrap(jsonObjectText({ ...jsonOfValues(valid()), [list]: `[${jsonObjectText({ fieldName: '"department"', fieldValue: '"sales"', [sub]: deep })}]` }))),
          expect: { status: refusal, ...fieldOf(list) },
        });
      }
    }
    // unknown keys are ignored: the body is refused for its e-mail (or, without one, for a missing field), and the nest must not get in the way
    for (const key of ['nickname', '__proto__', 'constructor']) {
      const base = hierarchy || route.operationId.endsWith('-status') ? {} : badEmail(valid());
      out.push({
        name: `${label} unknown key ${key}`,
        api: 'management',
        placement: 'json',
        request: (deep) => managementRequest(route, url, wrap(jsonObjectText({ ...jsonOfValues(base), [key]: deep }))),
        expect: { status: refusal, ...(users ? fieldOf('email') : {}) },
      });
    }
    // the whole body (and the whole item), which no route can take; a partial update may read an object nest as "no change"
    const partial = route.method === 'PUT' && !route.operationId.endsWith('-status');
    out.push({ name: `${label} whole body`, api: 'management', placement: 'json', request: (deep) => managementRequest(route, url, deep), expect: partial ? {} : { status: refusal } });
    if (bulk) out.push({ name: `${label} whole item`, api: 'management', placement: 'json', request: (deep) => managementRequest(route, url, `[${deep}]`), expect: partial ? {} : { status: refusal } });
  }
  // routes that read no body: the body is not read
  for (const [method, path, status] of [
    ['DELETE', '/users/999999', 404],
    ['DELETE', '/companies/999999', 404],
    ['DELETE', '/companies/123456/subsidiaries/999999', 400],
    ['GET', '/users/124', 200],
    ['PATCH', '/users', 405],
    ['PATCH', '/companies/123456', 405],
  ] as const) {
    const route = { method: method as ManagementRouteClass['method'], template: path };
    out.push({ name: `${method} ${path} with a nested body`, api: 'management', placement: 'json', request: (deep) => managementRequest(route, `/api/v3/io${path}`, deep), expect: { status } });
  }
  return out;
}

function checkManagement(c: DeepCase, request: FuzzRequest, res: LightMyRequestResponse): void {
  checkManagementResponse(request, res);
  if (INTERNAL_TEXT.test(res.body)) throw new Error('an internal error text in the answer');
  if (tooLarge(request) && request.method !== 'GET' && request.method !== 'DELETE' && res.statusCode !== 405) {
    if (res.statusCode !== 413) throw new Error(`HTTP ${res.statusCode} for a body over 1 MiB, expected 413`);
    return;
  }
  if (c.expect.status !== undefined && res.statusCode !== c.expect.status) throw new Error(`HTTP ${res.statusCode}, expected ${c.expect.status}`);
  if (c.expect.field) {
    const errMsg = (jsonOf(res) as { data?: { errMsg?: unknown } }).data?.errMsg;
    let at: unknown = errMsg;
    for (const key of c.expect.field.split('.')) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (at === undefined) throw new Error(`errMsg does not name ${c.expect.field}`);
    const messages = Array.isArray(at) ? at : Object.values(at as Record<string, unknown>).flat();
    if (messages.length === 0 || messages.some((m) => typeof m !== 'string' || m.length > 300)) throw new Error(`errMsg.${c.expect.field} is not a list of short messages`);
  } else if (res.statusCode === 422 && !USERS_FAMILY.has(routeOperation(request))) {
    const message = (jsonOf(res) as { meta?: { message?: unknown } }).meta?.message;
    if (typeof message !== 'string' || message.length > 300) throw new Error('a Companies refusal without a short meta.message');
  }
}

function routeOperation(request: FuzzRequest): string {
  const path = (request.url.split('?')[0] ?? '').replace('/api/v3/io', '');
  if (/^\/users(\/bulk)?$/.test(path) && request.method === 'POST') return path.endsWith('bulk') ? 'companies_users_bulk_create_create' : 'companies_users_create';
  if (/^\/users\/\d+$/.test(path) && request.method === 'PUT') return 'companies_user_update';
  return '';
}

// ---------------------------------------------------------------------------------------------
// GraphQL: shared builders

/** An input-object argument: its fields as GraphQL literals and as JSON texts. */
interface InputArg {
  name: string;
  type: string;
  fields: Record<string, { literal: string; json: string }>;
}

function lit(literal: string, json: string = literal) {
  return { literal, json };
}
const str = (s: string) => lit(JSON.stringify(s));

function graphqlRequest(api: 'graphql' | 'account', headers: Record<string, string>, payload: string): FuzzRequest {
  return {
    family: `deep-${api}`,
    method: 'POST',
    url: api === 'graphql' ? '/graphql' : ACCOUNT_URL,
    headers: { 'content-type': 'application/json', ...headers },
    payload,
  };
}

function bodyText(query: string, variables?: string): string {
  return jsonObjectText({ query: JSON.stringify(query), ...(variables !== undefined ? { variables } : {}) });
}

/**
 * For one operation taking an input object: per field, the nest as that field of the variable
 * (`variables.input.field`) and inline in the document (`input: { field: <literal> }`); then
 * the nest as the whole input, an unknown field, and (for lists) inside the list's first item.
 */
function inputObjectCases(
  api: 'graphql' | 'account',
  headers: Record<string, string>,
  label: string,
  wrap: (args: string) => string,
  arg: InputArg,
  root: string,
  nestedItems: Record<string, { fields: Record<string, { literal: string; json: string }> }> = {},
): DeepCase[] {
  const out: DeepCase[] = [];
  const expect: Expectation = { errors: true, root };
  const variablesDocument = wrap(`${arg.name}: $input`).replace(/^(mutation|query)/, `$1 Deep($input: ${arg.type})`);
  const literalOf = (fields: Record<string, string>) => `{ ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
  const jsonBase = Object.fromEntries(Object.entries(arg.fields).map(([k, v]) => [k, v.json]));
  const literalBase = Object.fromEntries(Object.entries(arg.fields).map(([k, v]) => [k, v.literal]));
  const fieldNames = [...Object.keys(arg.fields), ...Object.keys(nestedItems), 'zzUnknown'];
  for (const field of new Set(fieldNames)) {
    out.push({
      name: `${label} ${arg.name}.${field} (variable)`,
      api,
      placement: 'json',
      request: (deep) => graphqlRequest(api, headers, bodyText(variablesDocument, jsonObjectText({ input: jsonObjectText({ ...jsonBase, [field]: deep }) }))),
      expect,
    });
    out.push({
      name: `${label} ${arg.name}.${field} (inline)`,
      api,
      placement: 'document',
      request: (deep) => graphqlRequest(api, headers, bodyText(wrap(`${arg.name}: ${literalOf({ ...literalBase, [field]: deep })}`))),
      expect,
    });
  }
  for (const [field, item] of Object.entries(nestedItems)) {
    const list = Object.hasOwn(arg.fields, field) && arg.fields[field]?.json.startsWith('[');
    for (const sub of [...Object.keys(item.fields), 'zzUnknown']) {
      const itemJson = (deep: string) => jsonObjectText({ ...Object.fromEntries(Object.entries(item.fields).map(([k, v]) => [k, v.json])), [sub]: deep });
      const itemLiteral = (deep: string) => literalOf({ ...Object.fromEntries(Object.entries(item.fields).map(([k, v]) => [k, v.literal])), [sub]: deep });
      out.push({
        name: `${label} ${arg.name}.${field}${list ? '[0]' : ''}.${sub} (variable)`,
        api,
        placement: 'json',
        request: (deep) =>
          graphqlRequest(api, headers, bodyText(variablesDocument, jsonObjectText({ input: jsonObjectText({ ...jsonBase, [field]: list ? `[${itemJson(deep)}]` : itemJson(deep) }) }))),
        expect,
      });
      out.push({
        name: `${label} ${arg.name}.${field}${list ? '[0]' : ''}.${sub} (inline)`,
        api,
        placement: 'document',
        request: (deep) => graphqlRequest(api, headers, bodyText(wrap(`${arg.name}: ${literalOf({ ...literalBase, [field]: list ? `[${itemLiteral(deep)}]` : itemLiteral(deep) })}`))),
        expect,
      });
    }
  }
  out.push({
    name: `${label} ${arg.name} whole (variable)`,
    api,
    placement: 'json',
    request: (deep) => graphqlRequest(api, headers, bodyText(variablesDocument, jsonObjectText({ input: deep }))),
    expect,
  });
  out.push({
    name: `${label} ${arg.name} whole (inline)`,
    api,
    placement: 'document',
    request: (deep) => graphqlRequest(api, headers, bodyText(wrap(`${arg.name}: ${deep}`))),
    expect,
  });
  return out;
}

/** For one field taking scalar arguments: per argument, the nest as a declared variable and inline. */
function scalarArgCases(
  api: 'graphql' | 'account',
  headers: Record<string, string>,
  label: string,
  wrap: (args: string) => string,
  args: Record<string, { type: string; value?: string }>,
  root: string,
): DeepCase[] {
  const out: DeepCase[] = [];
  const expect: Expectation = { errors: true, root };
  for (const [name, { type }] of Object.entries(args)) {
    const others = Object.entries(args)
      .filter(([n, a]) => n !== name && a.value !== undefined)
      .map(([n, a]) => `${n}: ${a.value}`);
    const rest = others.length > 0 ? `, ${others.join(', ')}` : '';
    const document = wrap(`${name}: $v${rest}`).replace(/^(mutation|query)/, `$1 Deep($v: ${type})`);
    out.push({
      name: `${label}(${name}) (variable)`,
      api,
      placement: 'json',
      request: (deep) => graphqlRequest(api, headers, bodyText(document, jsonObjectText({ v: deep }))),
      expect,
    });
    out.push({
      name: `${label}(${name}) (inline)`,
      api,
      placement: 'document',
      request: (deep) => graphqlRequest(api, headers, bodyText(wrap(`${name}: ${deep}${rest}`))),
      expect,
    });
  }
  return out;
}

/** The transport's own keys: `query`, `variables`, `operationName`, `extensions`, unknown keys, the whole body. */
function transportCases(api: 'graphql' | 'account', headers: Record<string, string>, read: string, refusedMutation: string): DeepCase[] {
  const label = api === 'graphql' ? 'B2B GraphQL body' : 'Account GraphQL body';
  const request = (payload: (deep: string) => string) => (deep: string) => graphqlRequest(api, headers, payload(deep));
  const q = JSON.stringify(read);
  const m = JSON.stringify(refusedMutation);
  return [
    { name: `${label}: query`, api, placement: 'json', request: request((d) => jsonObjectText({ query: d })), expect: { errors: true } },
    { name: `${label}: variables`, api, placement: 'json', request: request((d) => jsonObjectText({ query: q, variables: d })), expect: {} },
    { name: `${label}: an undeclared variable`, api, placement: 'json', request: request((d) => jsonObjectText({ query: q, variables: jsonObjectText({ zz: d }) })), expect: {} },
    { name: `${label}: operationName`, api, placement: 'json', request: request((d) => jsonObjectText({ query: q, operationName: d })), expect: {} },
    { name: `${label}: extensions`, api, placement: 'json', request: request((d) => jsonObjectText({ query: q, extensions: d })), expect: {} },
    { name: `${label}: an unknown key`, api, placement: 'json', request: request((d) => jsonObjectText({ query: q, zzUnknown: d })), expect: {} },
    { name: `${label}: an unknown key beside a refused mutation`, api, placement: 'json', request: request((d) => jsonObjectText({ query: m, zzUnknown: d })), expect: { errors: true } },
    { name: `${label}: the whole body`, api, placement: 'json', request: request((d) => d), expect: { errors: true } },
  ];
}

// ---------------------------------------------------------------------------------------------
// B2B GraphQL

function b2bGraphqlCases(tokens: B2bTokens): DeepCase[] {
  const admin = { authorization: `Bearer ${tokens.admin}` };
  const none = {};
  const out: DeepCase[] = [];
  const mutation = (root: string, selection: string) => (args: string) => `mutation { ${root}(${args}) ${selection} }`;
  const query = (root: string, selection: string) => (args: string) => `query { ${root}(${args}) ${selection} }`;
  const extraItem = { fields: { fieldName: str('department'), fieldValue: str('sales') } };

  out.push(
    ...inputObjectCases(
      'graphql',
      admin,
      'userCreate',
      mutation('userCreate', '{ user { id } }'),
      {
        name: 'userData',
        type: 'UserInputType!',
        fields: {
          companyId: lit('123456'),
          email: lit(NEW_EMAIL),
          firstName: str('Deep'),
          lastName: str('Nest'),
          phone: str(''),
          role: lit('1'),
          companyRoleId: lit('1'),
          uuid: str('deep-uuid'),
          acceptEmail: lit('false'),
          extraFields: lit('[]'),
          addChannel: lit('false'),
          companyRoleName: str('Senior Buyer'),
        },
      },
      'userCreate',
      { extraFields: extraItem },
    ),
  );
  out.push(
    ...inputObjectCases(
      'graphql',
      admin,
      'userUpdate',
      mutation('userUpdate', '{ user { id } }'),
      {
        name: 'userData',
        type: 'UserUpdateInputType!',
        fields: {
          companyId: lit('123456'),
          userId: lit('124'),
          firstName: str('Deep'),
          lastName: str('Nest'),
          phone: str(''),
          role: lit('1'),
          companyRoleId: lit('1'),
          uuid: str('deep-uuid'),
          extraFields: lit('[]'),
          email: lit(NEW_EMAIL),
          addChannel: lit('false'),
          companyRoleName: str('Senior Buyer'),
        },
      },
      'userUpdate',
      { extraFields: extraItem },
    ),
  );
  out.push(
    ...inputObjectCases(
      'graphql',
      none,
      'login',
      mutation('login', '{ result { token } }'),
      {
        name: 'loginData',
        type: 'UserLoginType!',
        fields: { storeHash: str('f0qyczpkb2'), email: str('m.curie@greatbuys.com'), password: str('not-the-password'), channelId: lit('1'), redirectUrl: str('#/orders') },
      },
      'login',
    ),
  );
  out.push(
    ...inputObjectCases(
      'graphql',
      none,
      'authorization',
      mutation('authorization', '{ result { token } }'),
      { name: 'authData', type: 'UserAuthType!', fields: { bcToken: str('a.b.c'), channelId: lit('1') } },
      'authorization',
    ),
  );
  // userDelete of oneself is refused (§13 #19) whatever else happens
  out.push(...scalarArgCases('graphql', admin, 'userDelete', mutation('userDelete', '{ message }'), { companyId: { type: 'Int!', value: '123456' }, userId: { type: 'Int!', value: '123' } }, 'userDelete'));
  out.push(
    ...scalarArgCases(
      'graphql',
      admin,
      'users',
      query('users', '{ totalCount }'),
      {
        companyId: { type: 'Int!', value: '123456' },
        offset: { type: 'Int' },
        before: { type: 'String' },
        after: { type: 'String' },
        first: { type: 'Int' },
        last: { type: 'Int' },
        email: { type: 'String' },
        firstName: { type: 'String' },
        lastName: { type: 'String' },
        role: { type: 'Decimal' },
        search: { type: 'String' },
        companyRoleId: { type: 'Decimal' },
      },
      'users',
    ),
  );
  out.push(...scalarArgCases('graphql', admin, 'user', query('user', '{ id }'), { companyId: { type: 'Int!', value: '123456' }, userId: { type: 'Int!', value: '124' } }, 'user'));
  out.push(...scalarArgCases('graphql', admin, 'userCompany', query('userCompany', '{ id }'), { userId: { type: 'Int!', value: '124' } }, 'userCompany'));
  out.push(
    ...scalarArgCases(
      'graphql',
      admin,
      'companyRoles',
      query('companyRoles', '{ totalCount }'),
      { companyId: { type: 'Int' }, offset: { type: 'Int' }, before: { type: 'String' }, after: { type: 'String' }, first: { type: 'Int' }, last: { type: 'Int' }, search: { type: 'String' } },
      'companyRoles',
    ),
  );
  out.push(...scalarArgCases('graphql', admin, 'companyRole', query('companyRole', '{ id }'), { companyId: { type: 'Int' }, roleId: { type: 'Int!', value: '0' } }, 'companyRole'));
  out.push(
    ...scalarArgCases(
      'graphql',
      admin,
      'userEmailCheck',
      query('userEmailCheck', '{ userType }'),
      { email: { type: 'String!', value: '"x@example.org"' }, companyId: { type: 'Int' }, storeHash: { type: 'String' }, channelId: { type: 'Int' } },
      'userEmailCheck',
    ),
  );
  out.push(
    ...scalarArgCases(
      'graphql',
      none,
      'customerEmailCheck',
      query('customerEmailCheck', '{ userType }'),
      { email: { type: 'String!', value: '"x@example.org"' }, storeHash: { type: 'String!', value: '"f0qyczpkb2"' }, channelId: { type: 'Int' } },
      'customerEmailCheck',
    ),
  );
  out.push(
    ...transportCases(
      'graphql',
      admin,
      '{ userExtraFields { fieldName } }',
      `mutation { userCreate(userData: { companyId: 123456, email: "not-an-email", firstName: "a", lastName: "b", role: 1 }) { user { id } } }`,
    ),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Account GraphQL

function accountCases(): DeepCase[] {
  const full = { 'x-auth-token': 'demo-account-token-full' };
  const out: DeepCase[] = [];
  const accountMutation = (root: string, selection: string) => (args: string) => `mutation { account { ${root}(${args}) ${selection} } }`;
  const userMutation = (root: string, selection: string) => (args: string) => `mutation { user { ${root}(${args}) ${selection} } }`;
  const store = str('bc/account/store/f0qyczpkb2');
  out.push(...inputObjectCases('account', full, 'addUserToAccount', accountMutation('addUserToAccount', '{ account { id } }'), { name: 'input', type: 'AddUserToAccountInput!', fields: { email: lit(NEW_EMAIL) } }, 'account'));
  out.push(
    ...inputObjectCases(
      'account',
      full,
      'removeUserFromAccount',
      accountMutation('removeUserFromAccount', '{ userId }'),
      { name: 'input', type: 'RemoveUserFromAccountInput!', fields: { email: str('john.citizen@example.com') } },
      'account',
    ),
  );
  out.push(
    ...inputObjectCases(
      'account',
      full,
      'addUserToStore',
      userMutation('addUserToStore', '{ storeId }'),
      { name: 'input', type: 'AddUserToStoreInput!', fields: { user: lit(`{ email: ${NEW_EMAIL} }`, jsonObjectText({ email: NEW_EMAIL })), storeId: store } },
      'user',
      { user: { fields: { email: lit(NEW_EMAIL), id: str('bc/account/user/1003') } } },
    ),
  );
  out.push(
    ...inputObjectCases(
      'account',
      full,
      'removeUserFromStore',
      userMutation('removeUserFromStore', '{ storeId }'),
      { name: 'input', type: 'RemoveUserFromStoreInput!', fields: { storeId: store, userId: str('bc/account/user/1003') } },
      'user',
    ),
  );
  const users = (args: string) => `query { account { users(${args}) { edges { node { id } } } } }`;
  const storeUsers = (args: string) => `query { account { stores(first: 1) { edges { node { users(${args}) { edges { node { id } } } } } } } }`;
  for (const [label, wrap] of [
    ['account.users', users],
    ['store.users', storeUsers],
  ] as const) {
    out.push(...inputObjectCases('account', full, label, wrap, { name: 'filters', type: 'AccountUsersFiltersInput', fields: { ids: lit('["bc/account/user/1003"]'), email: str('john.citizen@example.com') } }, 'account'));
    out.push(...scalarArgCases('account', full, label, wrap, { first: { type: 'Int' }, after: { type: 'String' }, last: { type: 'Int' }, before: { type: 'String' } }, 'account'));
  }
  for (const connection of ['stores', 'apps']) {
    const wrap = (args: string) => `query { account { ${connection}(${args}) { edges { cursor } } } }`;
    out.push(...scalarArgCases('account', full, `account.${connection}`, wrap, { first: { type: 'Int' }, after: { type: 'String' }, last: { type: 'Int' }, before: { type: 'String' } }, 'account'));
  }
  out.push(
    ...transportCases(
      'account',
      full,
      '{ account { id } }',
      'mutation { user { removeUserFromStore(input: { storeId: "bc/account/store/z7y6x5w4v3", userId: "bc/account/user/1003" }) { storeId } } }',
    ),
  );
  return out;
}

function checkGraphql(c: DeepCase, request: FuzzRequest, res: LightMyRequestResponse): void {
  if (c.api === 'account') checkAccountResponse(request, res);
  else checkB2bGraphqlResponse(request, res);
  if (INTERNAL_TEXT.test(res.body)) throw new Error('an internal error text in the answer');
  if (tooLarge(request) && res.statusCode !== 413) throw new Error(`HTTP ${res.statusCode} for a body over 1 MiB, expected 413`);
  const body = jsonOf(res) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: unknown } }[] };
  if (c.expect.errors && (!Array.isArray(body.errors) || body.errors.length === 0)) throw new Error('no errors[] for a value that cannot be valid');
  for (const e of body.errors ?? []) if (e.extensions?.code === undefined) throw new Error('an error without extensions.code');
  const root = c.expect.root;
  if (root !== undefined && body.data !== null && body.data !== undefined && body.data[root] !== null && body.data[root] !== undefined) {
    // Account mutations nest one level (account { ... } / user { ... }): the inner field must be null
    const inner = body.data[root];
    const values = inner !== null && typeof inner === 'object' ? Object.values(inner as Record<string, unknown>) : [inner];
    if (c.api !== 'account' || values.some((v) => v !== null)) throw new Error(`data.${root} answered for a value that cannot be valid`);
  }
}

// ---------------------------------------------------------------------------------------------

function nestText(c: DeepCase, nest: Nest): string {
  return c.placement === 'json' ? nestJson(nest) : nestGraphql(nest);
}

interface Tally {
  statuses: Record<number, number>;
  maxDepth: number;
}

/** Sends the case with fast-check-chosen nests of one shape; throws with a replayable report. */
async function runCase(t: TestApp, c: DeepCase, shape: NestShape, seed: number, numRuns: number, tally: Tally, loop: ReturnType<typeof watchLoop>): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(nestOf(shape), async (nest) => {
      const request = c.request(nestText(c, nest));
      const logsBefore = capturedLogs.length;
      const res = await loop.measure(`${c.api} ${describeNest(nest)}`, () => t.app.inject(toInject(request)));
      const logged = errorLogLines(logsBefore);
      try {
        if (c.api === 'rest') checkRest(c, request, res);
        else if (c.api === 'management') checkManagement(c, request, res);
        else checkGraphql(c, request, res);
        if (logged.length > 0) throw new Error(`logged an error: ${summariseLogLine(logged[0] as string)}`);
      } catch (error) {
        throw new Error(`${describeNest(nest)}: ${(error as Error).message}\n${res.statusCode} ${res.body.slice(0, 400)}`);
      }
      tally.statuses[res.statusCode] = (tally.statuses[res.statusCode] ?? 0) + 1;
      tally.maxDepth = Math.max(tally.maxDepth, nest.depth);
    }),
    { numRuns, seed },
  );
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${c.name}, ${shape} (ROSTER_FUZZ_SEED=${BASE_SEED} replays it; this case's seed ${seed}):\n${cause}`);
  }
}

/**
 * `shapes: 'each'` sends every case in all three shapes; `'rotate'` sends case i in shape i mod 3
 * only (for groups of many cases, where every shape still meets every kind of field).
 */
async function runAll(t: TestApp, cases: DeepCase[], numRuns: number, seedOffset: number, shapes: 'each' | 'rotate' = 'each'): Promise<Tally & { failures: string[] }> {
  const tally: Tally = { statuses: {}, maxDepth: 0 };
  const failures: string[] = [];
  // no single request may hold the event loop for 500 ms or more (issue #14), watched over the whole group
  const loop = watchLoop();
  let index = 0;
  for (const [i, c] of cases.entries()) {
    for (const shape of shapes === 'each' ? NEST_SHAPES : [NEST_SHAPES[i % NEST_SHAPES.length] as NestShape]) {
      index += 1;
      try {
        await runCase(t, c, shape, BASE_SEED + seedOffset + index, numRuns, tally, loop);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  }
  const held = loop.stop();
  if (held) failures.push(held);
  return { ...tally, failures };
}

function errorLogLines(from: number): string[] {
  return capturedLogs.slice(from).filter((line) => /"level":(50|60)/.test(line));
}

/** The logged error's type, message and first frames of our code. */
function summariseLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string; stack?: string } };
    const frames = (entry.err?.stack ?? '').split('\n').filter((f) => f.includes('/src/')).slice(0, 3).map((f) => f.trim());
    return `${entry.msg ?? ''}: ${entry.err?.type ?? ''} ${entry.err?.message ?? ''} ${frames.join(' ← ')}`;
  } catch {
    return line.slice(0, 300);
  }
}

describe('the echo of a client value in an error message', () => {
  it('is its JSON text when short, and a bounded, non-recursive beginning otherwise', () => {
    for (const value of [[], {}, { role: 0 }, ['0'], [1, [2, { a: 'x' }]], JSON.parse('{"__proto__":{"a":1}}')]) expect(describeValue(value)).toBe(JSON.stringify(value));
    expect(describeValue('abc')).toBe('abc');
    expect(describeValue(5)).toBe('5');
    for (const text of ['['.repeat(100_000) + ']'.repeat(100_000), `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, `[${'1,'.repeat(100_000)}1]`, JSON.stringify('x'.repeat(100_000))]) {
      const echo = describeValue(JSON.parse(text));
      expect(echo.length).toBe(MAX_ECHO_LENGTH + 1);
      expect(echo.endsWith('…')).toBe(true);
      expect(text.startsWith(echo.slice(0, -1)) || echo.startsWith('x')).toBe(true);
    }
  });
});

describe.each(dialects)('JSON nested 10 to 100,000 levels deep in every body field, on %s', (dialect) => {
  let t: TestApp;
  let tokens: B2bTokens;
  let before: string;
  let logsFrom: number;
  const numRuns = runsFor(dialect);

  beforeAll(async () => {
    t = await createLoggedTestApp({ dialect });
    tokens = await signInDemoPeople(t.app);
    before = await digestDatabase(t.database);
    logsFrom = capturedLogs.length;
  });
  afterAll(async () => t.close());

  const groups: [string, () => DeepCase[] | Promise<DeepCase[]>, number, string, ('each' | 'rotate')?][] = [
    ['B2B REST: every body field, unknown keys and whole bodies', () => restCases(tokens), 0, 'b2b-rest'],
    [
      'B2B Management API: every body field of every published route (bulk items too), unknown keys and whole bodies',
      async () => managementCases(await managementRoutes(t.app)),
      300_000,
      'b2b-management',
      // ~150 cases: one shape each (rotating), one depth per case; ROSTER_DEEP_RUNS raises it
      'rotate',
    ],
    ['B2B GraphQL: every argument and input field, as a variable and inline; the transport keys', () => b2bGraphqlCases(tokens), 100_000, 'b2b-graphql'],
    ['Account GraphQL: the user mutations and users(filters:), as a variable and inline; the transport keys', () => accountCases(), 200_000, 'account-graphql'],
  ];
  for (const [title, build, seedOffset, journalApi, shapes] of groups) {
    it(`${title}: refused below 500 in the API's own format, changing nothing`, { timeout: 120_000 }, async () => {
      const cases = await build();
      expect(cases.length).toBeGreaterThan(10);
      const runs = shapes === 'rotate' && !process.env.ROSTER_DEEP_RUNS ? 1 : numRuns;
      const { statuses, maxDepth, failures } = await runAll(t, cases, runs, seedOffset, shapes);
      expect(failures, failures.slice(0, 15).join('\n\n')).toEqual([]);
      const serverErrors = Object.entries(statuses).reduce((sum, [status, n]) => sum + (Number(status) >= 500 ? n : 0), 0);
      expect(serverErrors, JSON.stringify(statuses)).toBe(0);
      // fast-check's depths reach the deep end on every run (its bias picks both ends of the range)
      expect(maxDepth).toBeGreaterThan(50_000);
      expect(await digestDatabase(t.database)).toBe(before);
      // the emulator's request journal shows these requests back (bodies kept, redacted, as JSON)
      const journal = await t.app.inject({ method: 'GET', url: `/_roster/requests?limit=500&api=${journalApi}` });
      expect(journal.statusCode, journal.body.slice(0, 300)).toBe(200);
      expect((journal.json() as { requests: unknown[] }).requests.length).toBeGreaterThan(100);
    });
  }

  it('B2B Management API: a channelIds item nested 100,000 deep is refused with 422 in every shape (it was a 500: its echo recursed)', async () => {
    const company = { companyName: '"Deep Co"', companyEmail: '"deep.co@example.org"', companyPhone: '"5550100"', country: '"US"', adminFirstName: '"Deep"', adminLastName: '"Nest"' };
    const failures: string[] = [];
    for (const shape of NEST_SHAPES) {
      const deep = nestJson({ shape, depth: 100_000, pattern: 'ao', key: 'a', leaf: 'number', sibling: false });
      for (const [path, bulk] of [
        ['/api/v3/io/companies', false],
        ['/api/v3/io/companies/bulk', true],
      ] as const) {
        const item = jsonObjectText({ ...company, adminEmail: `"deep.${shape}.${bulk ? 'bulk' : 'one'}@example.org"`, channelIds: `[1,${deep}]` });
        const request = managementRequest({ method: 'POST', template: bulk ? '/companies/bulk' : '/companies' }, path, bulk ? `[${item}]` : item);
        const res = await t.app.inject(toInject(request));
        if (res.statusCode !== 422 || INTERNAL_TEXT.test(res.body) || res.body.length > 2_000) failures.push(`POST ${path} channelIds [1, ${shape} nest]: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(await digestDatabase(t.database)).toBe(before);
  });

  it('logged no secret while doing so', () => {
    expect(capturedLogs.length).toBeGreaterThan(logsFrom);
    assertLogsFreeOfSecrets();
  });
});
